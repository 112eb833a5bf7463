import type { Config } from "../config.ts";
import { DispatchError, describe } from "../errors.ts";
import type { Bus } from "../events.ts";
import type { Mode } from "../modes/mode.ts";
import { alive } from "../proc/exec.ts";
import { sessionName } from "../protocol/ids.ts";
import type { RunOrigin } from "../protocol/states.ts";
import type { Task } from "../tasks/task.ts";
import type { Tmux } from "../tmux/tmux.ts";
import { parseExtras } from "./agent-argv.ts";
import { killGroup } from "./headless-job.ts";
import { type Ending, isLive, type RunDb, type RunRow, toRunInfo } from "./run-db.ts";
import { type ExitRecord, newRunId, type RunFiles } from "./run-files.ts";
import { launchRun } from "./run-launch.ts";

const key = (mode: string, taskId: string) => `${mode}\0${taskId}`;

export function endingFromExit(exit: ExitRecord): Ending {
  return {
    state: exit.code === 0 ? "finished" : "failed",
    exitCode: exit.code,
    reason: exit.reason ?? (exit.signal ? `ended by ${exit.signal}` : null),
    result: exit.result,
  };
}

/**
 * Starts, stops and follows runs. The database is the truth shared with other processes; this
 * class keeps the newest run of every {mode, task} in memory (refreshed by `sync`, which reads
 * only rows changed since the last look), so status answers never spawn a process.
 */
export class RunManager {
  private latestByKey = new Map<string, RunRow>();
  private lastRev = 0;
  private launching = new Map<string, Promise<void>>();

  constructor(
    private readonly config: Config,
    private readonly files: RunFiles,
    private readonly db: RunDb,
    private readonly tmux: Tmux,
    private readonly bus: Bus,
  ) {
    for (const row of db.latestPerKey()) this.latestByKey.set(key(row.mode, row.task_id), row);
    this.lastRev = db.maxRev();
  }

  /** Waits for launches in flight, so a quitting process leaves no run half-started. */
  async settle(timeoutMs = 15000): Promise<void> {
    const pending = [...this.launching.values()].map((p) => p.catch(() => undefined));
    if (pending.length === 0) return;
    await Promise.race([Promise.all(pending), Bun.sleep(timeoutMs)]);
  }

  /** Pulls rows any process changed since the last look; publishes each as `run.changed`. */
  sync(): void {
    for (const row of this.db.changedSince(this.lastRev)) {
      this.lastRev = Math.max(this.lastRev, row.rev);
      const k = key(row.mode, row.task_id);
      const known = this.latestByKey.get(k);
      if (!known || known.id === row.id || row.started_at >= known.started_at) this.latestByKey.set(k, row);
      this.bus.emit("run.changed", toRunInfo(row));
    }
  }

  latest(mode: string, taskId: string): RunRow | undefined {
    return this.latestByKey.get(key(mode, taskId));
  }

  latestRows(): RunRow[] {
    return [...this.latestByKey.values()];
  }

  get(runId: string): RunRow | null {
    return this.db.get(runId);
  }

  history(taskId: string | null, limit = 200): RunRow[] {
    return this.db.history(taskId, limit);
  }

  /** Starts a run of `mode` on `task`, or returns the live one: never two. */
  async dispatch(mode: Mode, task: Task, extras: string[], origin: RunOrigin): Promise<{ row: RunRow; reused: boolean }> {
    const parsed = parseExtras(extras, mode);
    const current = this.db.latest(mode.name, task.id);
    if (current && isLive(current)) await this.reconcile(current);
    const runId = newRunId();
    const session = sessionName(mode.name, task.id);
    const claim = this.db.claim(
      {
        id: runId,
        mode: mode.name,
        task_id: task.id,
        session,
        headless: !mode.interactive,
        origin,
        extras,
        log_path: this.files.log(runId),
      },
      (live) => this.quickEnding(live),
    );
    this.sync();
    if (claim.reused) {
      await this.launching.get(claim.row.id);
      return { row: this.db.get(claim.row.id) ?? claim.row, reused: true };
    }
    const launch = this.launch(claim.row, mode, task, parsed);
    this.launching.set(runId, launch);
    try {
      await launch;
    } finally {
      this.launching.delete(runId);
    }
    // An agent that ended at once (a bad flag) was ignored while launching: look now, not at the next sweep.
    const fresh = this.db.get(runId);
    if (fresh && isLive(fresh)) await this.reconcile(fresh);
    return { row: this.db.get(runId) ?? claim.row, reused: false };
  }

  private async launch(row: RunRow, mode: Mode, task: Task, extras: ReturnType<typeof parseExtras>): Promise<void> {
    let launched: Awaited<ReturnType<typeof launchRun>>;
    try {
      launched = await launchRun({
        config: this.config,
        files: this.files,
        tmux: this.tmux,
        runId: row.id,
        session: row.session,
        mode,
        task,
        extras,
        isStaleSession: (owner, ownerDir) => {
          if (ownerDir !== this.config.stateDir) return false;
          const ownerRow = owner ? this.db.get(owner) : null;
          return !ownerRow || !isLive(ownerRow) || ownerRow.id === row.id;
        },
        onJobExit: () => {
          const current = this.db.get(row.id);
          if (current) this.reconcile(current).catch((error) => console.error("dispatch: checking a run failed:", error));
        },
      });
    } catch (error) {
      this.db.end(row.id, { state: "failed", exitCode: null, reason: `could not start: ${describe(error)}` });
      this.sync();
      throw error;
    }
    if (!this.db.started(row.id, launched)) {
      // Stopped by another process while it was starting: undo what was just launched.
      if (launched.tmuxId) await this.tmux.killRunSession({ name: row.session, id: launched.tmuxId, runId: row.id });
      else if (launched.pid) await killGroup(launched.pid);
    }
    this.sync();
  }

  /** What can be told without a process: an exit file, or a dead owner of a `starting` row. */
  private quickEnding(row: RunRow): Ending | null {
    const exit = this.files.readExit(row.id);
    if (exit) return endingFromExit(exit);
    if (row.state === "starting" && row.owner_pid !== process.pid && !alive(row.owner_pid)) {
      return { state: "failed", exitCode: null, reason: "could not start: the dispatching process exited first" };
    }
    if (row.state === "running" && row.headless === 1 && row.pid && !alive(row.pid)) {
      // The launcher may have written its exit file just before it went.
      const late = this.files.readExit(row.id);
      return late ? endingFromExit(late) : { state: "lost", exitCode: null, reason: "the agent's process vanished without an exit code" };
    }
    return null;
  }

  /** Checks a live run against the world (exit file, process, tmux) and ends it if it is over. */
  async reconcile(row: RunRow): Promise<void> {
    if (!isLive(row) || this.launching.has(row.id)) return;
    if (this.files.readExit(row.id)) return this.onExit(row.id);
    let ending = this.quickEnding(row);
    if (!ending && row.state === "running" && row.headless === 0 && !(await this.tmux.hasSession(row.session))) {
      const exit = this.files.readExit(row.id);
      ending = exit ? endingFromExit(exit) : { state: "lost", exitCode: null, reason: "the tmux session vanished without an exit code" };
    }
    if (ending && this.db.end(row.id, ending)) this.sync();
  }

  async reconcileAll(): Promise<void> {
    for (const row of this.db.live()) {
      // One run that cannot be checked must not hide the others (or stop the CLI from starting).
      await this.reconcile(row).catch((error) => console.error(`dispatch: checking run ${row.id} failed:`, error));
    }
    this.sync();
  }

  /** The launcher wrote the run's exit file. */
  async onExit(runId: string): Promise<void> {
    const exit = this.files.readExit(runId);
    const row = this.db.get(runId);
    if (!exit || !row || this.launching.has(runId)) return;
    if (isLive(row)) this.db.end(runId, endingFromExit(exit));
    else if (row.state === "stopped") this.db.noteExitCode(runId, exit.code);
    this.sync();
    // The pane stays (remain-on-exit) so pipe-pane sees every byte; once the exit is on record,
    // the dead session goes, and the name is free for the next run.
    if (row.headless === 0) await this.removeDeadSession(row);
  }

  private async removeDeadSession(row: RunRow): Promise<void> {
    await this.tmux.killRunSession({ name: row.session, id: row.tmux_id, runId: row.id });
  }

  /** Ends the live run of {mode, task}: its tmux session, or the job's whole process group. */
  async stop(mode: string, taskId: string): Promise<{ stopped: boolean; row: RunRow | null }> {
    let row = this.db.latest(mode, taskId);
    if (row && this.launching.has(row.id)) {
      await this.launching.get(row.id)?.catch(() => {});
      row = this.db.get(row.id);
    }
    if (!row || !isLive(row)) return { stopped: false, row };
    // Recorded first, so the exit the kill provokes cannot turn it into `failed`.
    if (!this.db.end(row.id, { state: "stopped", exitCode: null, reason: "stopped by the user" })) {
      this.sync();
      return { stopped: false, row: this.db.get(row.id) };
    }
    this.sync();
    if (row.headless === 1) {
      if (row.pid) await killGroup(row.pid);
    } else {
      await this.tmux.killRunSession({ name: row.session, id: row.tmux_id, runId: row.id });
    }
    return { stopped: true, row: this.db.get(row.id) };
  }

  /** Checks that a run exists for a log request; throws a 404 otherwise. */
  requireLatest(mode: string, taskId: string): RunRow {
    const row = this.latest(mode, taskId) ?? this.db.latest(mode, taskId);
    if (!row) throw new DispatchError("not_found", `no run of ${mode} on ${taskId} yet`);
    return row;
  }
}
