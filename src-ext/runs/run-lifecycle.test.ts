import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../../test/helpers/world.ts";
import { Bus } from "../events.ts";
import { alive, startTime } from "../proc/liveness.ts";
import type { EngineEvent } from "../protocol/events.ts";
import { Tmux } from "../tmux/tmux.ts";
import { type NewRun, RunDb } from "./run-db.ts";
import { RunFiles } from "./run-files.ts";
import { RunLifecycle } from "./run-lifecycle.ts";
import { claimedFacts } from "./run-state.ts";

/**
 * The lifecycle with a real database and real processes (a `sleep` stands in for an agent), and a
 * tmux that has no server: what is decided here is decided from records and /proc alone.
 */
const dirs: string[] = [];
const children: Array<{ kill(signal?: number): void }> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill(9);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function world() {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-lifecycle-"));
  dirs.push(dir);
  const fallback = join(dir, "fallback", "exits");
  const files = new RunFiles(dir, fallback);
  const db = RunDb.open(dir);
  const bus = new Bus();
  const events: EngineEvent[] = [];
  bus.onAny((e) => events.push(e));
  const tmux = new Tmux("/nowhere", async () => ({ code: 1, stdout: "", stderr: "no server running on /nowhere" }));
  const runs = new RunLifecycle({ stateDir: dir } as never, files, db, tmux, bus);
  return { dir, fallback, files, db, events, runs };
}

function run(id: string, taskId: string, extra: Partial<NewRun> = {}): NewRun {
  return {
    id,
    mode: "code-review",
    taskId,
    session: `claude-code-review-${taskId}`,
    headless: true,
    origin: "cli",
    extras: [],
    logPath: `/logs/${id}.log`,
    startedAt: new Date().toISOString(),
    ownerPid: 1,
    ownerStart: null,
    resumedFrom: null,
    agent: "claude",
    ...claimedFacts(),
    ...extra,
  };
}

/** A process group like a job's: a leader (the launcher) with a child (the agent). */
async function job(): Promise<{ leader: number; agent: number; killLeader(): Promise<void> }> {
  const leader = Bun.spawn(["sh", "-c", "sleep 1000 & echo $!; wait"], { detached: true, stdout: "pipe" });
  const reader = leader.stdout.getReader();
  const agent = Number(new TextDecoder().decode((await reader.read()).value).trim());
  children.push({ kill: () => process.kill(-leader.pid, 9) });
  return {
    leader: leader.pid,
    agent,
    killLeader: async () => {
      leader.kill(9);
      await leader.exited;
    },
  };
}

describe("run lifecycle: sure verdicts", () => {
  test("a job whose launcher died while its agent runs on is not lost; once the group is gone, it is", async () => {
    const w = world();
    const j = await job();
    w.db.claim(run("r1", "T1", { phase: "running", pid: j.leader, pidStart: startTime(j.leader) }));
    await w.runs.open();
    await j.killLeader();
    expect((await w.runs.observe("r1"))?.phase).toBe("running");
    expect(alive(j.agent)).toBe(true);
    process.kill(j.agent, 9);
    // SIGKILL lands asynchronously: wait for it to have.
    await waitFor("the agent to die", () => !alive(j.agent));
    const lost = await w.runs.observe("r1");
    expect(lost).toMatchObject({ phase: "lost", reason: "the agent's process vanished without an exit code" });
  });

  test("Stop on an ended run never signals a process that reused its pid", async () => {
    const w = world();
    const stranger = Bun.spawn(["sleep", "1000"], { detached: true });
    children.push(stranger);
    // Recorded with another start time: the same pid, another process.
    w.db.recover(run("r1", "T1", { phase: "finished", exitCode: 0, pid: stranger.pid, pidStart: "1" }));
    await w.runs.open();
    expect(await w.runs.stop("code-review", "T1")).toMatchObject({ stopped: false, run: { phase: "finished" } });
    expect(alive(stranger.pid)).toBe(true);
  });

  test("a record without a start time (an older Dispatch's) is matched by the launcher's arguments, not by its pid alone", async () => {
    const w = world();
    const stranger = Bun.spawn(["sleep", "1000"], { detached: true });
    children.push(stranger);
    w.db.claim(run("r1", "T1", { phase: "running", pid: stranger.pid, pidStart: null }));
    await w.runs.open();
    expect(w.db.get("r1")?.phase).toBe("lost");
    expect(alive(stranger.pid)).toBe(true);
  });

  test("a run this process claimed but is not launching (its launch threw) is decided, not left starting", async () => {
    const w = world();
    w.db.claim(run("r1", "T1", { ownerPid: process.pid, ownerStart: startTime(process.pid) }));
    await w.runs.open();
    expect(w.db.get("r1")).toMatchObject({
      phase: "failed",
      reason: "could not start: the dispatching process exited before the agent was started",
    });
  });
});

describe("run lifecycle: events and other processes", () => {
  test("a run another process started and finished is published even when this process wrote in between", async () => {
    const w = world();
    await w.runs.open();
    const cli = RunDb.open(w.dir);
    const claimed = cli.claim(run("rY", "T2")).run;
    cli.update("rY", claimed.rev, { phase: "finished", exitCode: 0, endedAt: new Date().toISOString() });
    // This process writes before it reads the other's writes: its rev jumps past them.
    const mine = w.db.claim(run("rZ", "T3", { phase: "running", pid: 999999, pidStart: "1" })).run;
    await w.runs.observe(mine.id);
    w.runs.sync();
    expect(w.runs.latest("code-review", "T2")).toMatchObject({ id: "rY", phase: "finished" });
    expect(w.events.filter((e) => e.type === "run.ended" && e.run.runId === "rY")).toHaveLength(1);
    cli.close();
  });

  test("a late exit record corrects `lost`, and is published as the run's end with its true outcome", async () => {
    const w = world();
    w.db.recover(run("r1", "T1", { phase: "lost", reason: "gone", endedAt: new Date().toISOString() }));
    await w.runs.open();
    w.files.check();
    writeFileSync(w.files.exit("r1"), JSON.stringify({ code: 3, signal: null, endedAt: "2026-11-30T10:00:00.000Z" }));
    expect((await w.runs.observe("r1"))?.phase).toBe("failed");
    const ended = w.events.find((e) => e.type === "run.ended");
    expect(ended).toMatchObject({ previous: { state: "lost" }, outcome: "failed with exit code 3" });
  });

  test("a lost run found alive beside a newer live run is left alive and says so, without a database error", async () => {
    const w = world();
    const me = { pid: process.pid, pidStart: startTime(process.pid) };
    w.db.recover(run("r1", "T1", { phase: "lost", ...me, startedAt: "2026-11-30T10:00:00.000Z" }));
    w.db.claim(run("r2", "T1", { phase: "running", ...me, startedAt: "2026-11-30T10:00:00.000Z" }));
    await w.runs.observeAll([w.db.get("r1") as never]);
    expect(w.db.get("r1")?.phase).toBe("lost");
    expect(w.db.get("r1")?.reason).toContain(`its process still runs (pid ${process.pid}) beside a newer run`);
  });
});

describe("run lifecycle: the fallback exit folder", () => {
  test("a record in a folder others can write is not believed; one in a private folder is, and is copied into exits/", async () => {
    const w = world();
    const me = { pid: process.pid, pidStart: startTime(process.pid) };
    w.db.claim(run("r1", "T1", { phase: "running", ...me }));
    w.db.claim(run("r2", "T2", { phase: "running", ...me }));
    await w.runs.open();
    mkdirSync(w.fallback, { recursive: true, mode: 0o700 });
    const record = (code: number) => JSON.stringify({ code, signal: null, endedAt: "2026-11-30T10:00:00.000Z" });
    chmodSync(w.fallback, 0o777);
    writeFileSync(join(w.fallback, "r1.json"), record(0));
    expect((await w.runs.observe("r1"))?.phase).toBe("running");
    chmodSync(w.fallback, 0o700);
    chmodSync(join(w.fallback, ".."), 0o700);
    writeFileSync(join(w.fallback, "r2.json"), record(4));
    expect(await w.runs.observe("r2")).toMatchObject({ phase: "failed", exitCode: 4 });
    expect(w.files.readExit("r2")?.code).toBe(4);
    rmSync(join(w.fallback, "r2.json"));
    expect(w.files.readExit("r2")?.code).toBe(4);
  });
});
