import { randomUUID } from "node:crypto";
import type { Known } from "../agents/claude-events.ts";
import type { Config } from "../config.ts";
import { DispatchError, describe } from "../errors.ts";
import type { Bus } from "../events.ts";
import type { Mode } from "../modes/mode.ts";
import { startTime } from "../proc/liveness.ts";
import { sessionName } from "../protocol/ids.ts";
import type { RunOrigin } from "../protocol/states.ts";
import type { Task } from "../tasks/task.ts";
import type { Tmux } from "../tmux/tmux.ts";
import { type ParsedExtras, parseExtras } from "./agent-argv.ts";
import { killGroup } from "./headless-job.ts";
import { launcherOf, probe, runLives } from "./probe.ts";
import type { RunDb } from "./run-db.ts";
import { newRunId, type RunFiles } from "./run-files.ts";
import { FoundLiveRun, type LaunchAgent, type Launched, launchRun, type SessionOwner } from "./run-launch.ts";
import { RunMemory } from "./run-memory.ts";
import type { RunRecord } from "./run-record.ts";
import { recoverFromDisk, recoverRun } from "./run-recovery.ts";
import { claimedFacts, isLive, type Observation, transition } from "./run-state.ts";

/**
 * A fault-injection point for the tests of a dispatcher killed mid-dispatch (`DISPATCH_CRASH_AT=
 * after-claim | after-launch`): the process SIGKILLs itself there, exactly as `kill -9` would.
 */
function crashPoint(where: "after-claim" | "after-launch"): void {
  if (process.env.DISPATCH_CRASH_AT === where) process.kill(process.pid, "SIGKILL");
}

/**
 * Owns every run's life in this process. Every trigger becomes one call: `observe(id)` looks at
 * the world (probe.ts) and `apply` runs the transition (run-state.ts), writes it compare-and-set,
 * publishes the transition as an event (run-memory.ts), and ends whatever the transition says
 * must go. The database is the truth shared with other processes.
 */
export class RunLifecycle {
  private readonly known: RunMemory;
  private lastRev = 0;
  private launching = new Map<string, Promise<unknown>>();
  private readonly deps;

  constructor(
    private readonly config: Config,
    readonly files: RunFiles,
    private readonly db: RunDb,
    private readonly tmux: Tmux,
    bus: Bus,
  ) {
    this.deps = { files, tmux, launching: (id: string) => this.launching.has(id) };
    this.known = new RunMemory(bus);
  }

  /** Start-up recovery: runs the database lost are rebuilt from disk; live and lost runs are looked at again. */
  async open(): Promise<void> {
    try {
      this.files.check();
    } catch {
      // Reported to whoever dispatches (a clear error naming the folder); reading runs still works.
    }
    const recovered = await recoverFromDisk(this.files, this.db, this.deps);
    if (recovered > 0) console.error(`dispatch: recovered ${recovered} run(s) from ${this.files.specs} that ${this.db.file} did not know`);
    this.known.load(this.db.latestPerKey(), this.db.states());
    this.lastRev = this.db.maxRev();
    await this.observeAll();
  }

  /**
   * Waits for launches in flight, so a quitting process leaves no run half-started. A launch takes
   * 3–40 ms once the worktree exists; a first one runs `git worktree add` (seconds on a big repo).
   */
  async settle(timeoutMs = 15000): Promise<void> {
    const pending = [...this.launching.values()].map((p) => p.catch(() => undefined));
    if (pending.length > 0) await Promise.race([Promise.all(pending), Bun.sleep(timeoutMs)]);
  }

  latest(mode: string, taskId: string): RunRecord | undefined {
    return this.known.latest(mode, taskId);
  }

  latestAll(): RunRecord[] {
    return this.known.latestAll();
  }

  get(runId: string): RunRecord | null {
    return this.db.get(runId);
  }

  /** The newest run of {mode, task} that has a session to continue. */
  resumable(mode: string, taskId: string): RunRecord | null {
    return this.db.latestWithSession(mode, taskId);
  }

  history(taskId: string | null, limit = 200): RunRecord[] {
    return this.db.history(taskId, limit);
  }

  /**
   * Publishes what any process wrote since the last look. The only place that moves `lastRev`:
   * our own writes take `MAX(rev) + 1`, past writes of others not yet read.
   */
  sync(): void {
    for (const run of this.db.changedSince(this.lastRev)) {
      this.lastRev = Math.max(this.lastRev, run.rev);
      this.known.note(run);
    }
  }

  /** Looks at one run in the world and records what is sure. The one entry of every trigger. */
  async observe(runId: string): Promise<RunRecord | null> {
    const run = this.db.get(runId);
    if (!run) return null;
    this.known.note(run);
    return (await this.apply(run, (current) => probe(current, this.deps))).run;
  }

  /** Live runs, and lost ones that say where they lived (a wrong verdict is taken back). */
  /** What the agent does, as its hooks (or its session registry) said. */
  async observeActivity(runId: string, known: Known): Promise<void> {
    const run = this.db.get(runId);
    if (!run || known.activity === null) return;
    this.known.note(run);
    await this.apply(run, { kind: "activity", activity: known.activity, pending: known.pending, sessionId: known.sessionId ?? undefined });
  }

  async observeAll(
    runs: RunRecord[] = [...this.db.live(), ...this.latestAll().filter((r) => r.phase === "lost" && r.pid !== null)],
  ): Promise<void> {
    for (const run of runs) {
      // One run that cannot be checked must not hide the others (or stop the CLI from starting).
      await this.observe(run.id).catch((error) => console.error(`dispatch: checking run ${run.id} failed:`, error));
    }
    this.sync();
  }

  /**
   * Runs the transition and records it if the run is still as read. When another process changed
   * it meanwhile, it is read again and decided anew: an event (a launch, a Stop) applies to the
   * new record; a look at the world (a function of the record) is taken again, since what was
   * seen may be stale. `endedLive`: a process of the run was still alive and was ended.
   */
  private async apply(
    run: RunRecord,
    observe: Observation | ((run: RunRecord) => Promise<Observation | null>),
  ): Promise<{ run: RunRecord; endedLive: boolean }> {
    let current = run;
    for (let attempt = 0; attempt < 8; attempt++) {
      const observation = typeof observe === "function" ? await observe(current) : observe;
      const change = observation && transition(current, observation, new Date().toISOString());
      if (!change) return { run: current, endedLive: false };
      let next = current;
      if (Object.keys(change.set).length > 0) {
        const written = this.db.update(current.id, current.rev, change.set);
        if (written === "conflict") return { run: await this.beside(current), endedLive: false };
        if (!written) {
          current = this.db.get(current.id) ?? current;
          this.known.note(current);
          continue;
        }
        next = written;
        this.known.note(next);
      }
      return { run: next, endedLive: change.endRemains ? await this.endRemains(next) : false };
    }
    return { run: current, endedLive: false };
  }

  /**
   * A run judged lost (by an older Dispatch) is alive, but a newer run of its {mode, task} is live:
   * two agents, and only one may be the live run. It is not killed: its reason says so.
   */
  private async beside(run: RunRecord): Promise<RunRecord> {
    const reason = `its process still runs (pid ${run.pid}) beside a newer run of ${run.mode} on ${run.taskId}: end it with kill ${run.pid}`;
    const written = run.reason === reason ? run : this.db.update(run.id, run.rev, { reason });
    if (written && written !== "conflict") this.known.note(written);
    return written && written !== "conflict" ? written : run;
  }

  /**
   * Ends what still exists of a run: its session (checked to be this run's), then its process
   * group, if it is still the run's (see `runLives`: a reused pid is never signalled).
   */
  private async endRemains(run: RunRecord): Promise<boolean> {
    const lived = runLives(run, this.files);
    if (!run.headless) await this.tmux.at(run.socket).killRunSession({ name: run.session, id: run.tmuxId, runId: run.id });
    // A session's processes end with it (SIGHUP); an agent that outlived its launcher, or a tmux
    // server that cannot be reached (a socket removed by a /tmp cleaner), is ended by its group.
    const launcher = launcherOf(run, this.files);
    if (launcher && runLives(run, this.files)) await killGroup(launcher.pid);
    return lived;
  }

  /** Starts a run of `mode` on `task`, or returns the live one: never two, never a live one killed. */
  async dispatch(
    mode: Mode,
    task: Task,
    extras: string[],
    origin: RunOrigin,
    agent: LaunchAgent,
    /** The run whose session this one continues (a resume), or null. */
    from: RunRecord | null = null,
  ): Promise<{ run: RunRecord; reused: boolean }> {
    const parsed = parseExtras(extras, mode);
    // Before anything is recorded: a state folder that cannot take the run is an error that changes nothing.
    this.files.check();
    const current = this.db.latest(mode.name, task.id);
    if (current && isLive(current.phase)) await this.observe(current.id);
    const runId = newRunId();
    const claim = this.db.claim({
      id: runId,
      mode: mode.name,
      taskId: task.id,
      session: sessionName(mode.name, task.id),
      headless: !mode.interactive,
      origin,
      extras,
      logPath: this.files.log(runId),
      startedAt: new Date().toISOString(),
      ownerPid: process.pid,
      ownerStart: startTime(process.pid),
      resumedFrom: from?.id ?? null,
      agent: agent.definition.name,
      ...claimedFacts(),
      // Fixed up front (`--session-id`), so hooks and the registry name it from the first event;
      // a resume continues the session it names (`--resume`, FACTS §5: the id stays).
      sessionId: from?.sessionId ?? (agent.definition.hooks ? randomUUID() : null),
      socket: mode.interactive ? this.tmux.socketPath : null,
    });
    this.known.note(claim.run);
    if (claim.reused) {
      await this.launching.get(claim.run.id)?.catch(() => undefined);
      return { run: this.db.get(claim.run.id) ?? claim.run, reused: true };
    }
    crashPoint("after-claim");
    const job = this.launch(claim.run, mode, task, parsed, agent);
    this.launching.set(runId, job);
    try {
      return await job;
    } finally {
      this.launching.delete(runId);
    }
  }

  private async launch(
    run: RunRecord,
    mode: Mode,
    task: Task,
    extras: ParsedExtras,
    agent: LaunchAgent,
  ): Promise<{ run: RunRecord; reused: boolean }> {
    let launched: Launched;
    try {
      launched = await launchRun({
        config: this.config,
        files: this.files,
        tmux: this.tmux,
        run,
        mode,
        task,
        extras,
        agent,
        existingSession: (owner) => this.judgeSession(owner),
        onJobExit: () => void this.observe(run.id).catch((error) => console.error("dispatch: checking a run failed:", error)),
      });
    } catch (error) {
      const fresh = this.db.get(run.id) ?? run;
      if (error instanceof FoundLiveRun) return this.adoptInstead(fresh, error.runId);
      await this.apply(fresh, { kind: "launch-failed", reason: describe(error) });
      throw error;
    }
    crashPoint("after-launch");
    await this.apply(this.db.get(run.id) ?? run, launched);
    // An agent that ended at once (a bad flag) is seen now, not at the next sweep.
    return { run: (await this.observe(run.id)) ?? run, reused: false };
  }

  /** A session of our name exists: replace it only when its run is known to be over. */
  private judgeSession({ runId: owner, events, stateDir }: SessionOwner): "replace" | "adopt" | "conflict" {
    // Ours when its event file is in our state folder (or, a session of Dispatch 0.1, it names our folder).
    if (!owner) return "conflict";
    const ours = events !== null ? events === this.files.eventsOf(owner) : stateDir === this.config.stateDir;
    if (!ours) return "conflict";
    const known = this.db.get(owner);
    if (known) return isLive(known.phase) ? "adopt" : "replace";
    return this.files.readExit(owner) ? "replace" : "adopt";
  }

  /** The session we meant to create holds a live run the database did not know: that run is the answer. */
  private async adoptInstead(claimed: RunRecord, ownerId: string): Promise<{ run: RunRecord; reused: boolean }> {
    // Our claim ends first: one live run per {mode, task}, and that one is the owner.
    await this.apply(claimed, { kind: "launch-failed", reason: `run ${ownerId} already lives in tmux session ${claimed.session}` });
    if (!this.db.get(ownerId)) await recoverRun(ownerId, this.files, this.db, this.deps);
    const owner = await this.observe(ownerId);
    if (!owner) {
      const kill = this.tmux
        .at(claimed.socket)
        .argv(["kill-session", "-t", `=${claimed.session}`])
        .join(" ");
      throw new DispatchError(
        "session_conflict",
        `tmux session ${claimed.session} holds run ${ownerId} of this repository, whose records are gone: Dispatch leaves it alone (end it with ${kill})`,
      );
    }
    return { run: owner, reused: true };
  }

  /** Ends the run of {mode, task}, whatever its recorded state says: whatever of it still exists. */
  async stop(mode: string, taskId: string): Promise<{ stopped: boolean; run: RunRecord | null }> {
    const latest = this.db.latest(mode, taskId);
    if (!latest) return { stopped: false, run: null };
    await this.launching.get(latest.id)?.catch(() => undefined);
    // Found alive again, or ended meanwhile: the Stop acts on what is true now.
    const run = (await this.observe(latest.id)) ?? latest;
    const wasLive = isLive(run.phase);
    const { run: next, endedLive } = await this.apply(run, { kind: "stop" });
    return { stopped: wasLive || endedLive, run: next };
  }
}
