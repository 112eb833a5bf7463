import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NewRun, RunDb } from "./run-db.ts";
import { SCHEMA_VERSION } from "./run-db-schema.ts";
import type { RunRecord } from "./run-record.ts";
import { claimedFacts } from "./run-state.ts";

const dirs: string[] = [];
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-db-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newRun(id: string, extra: Partial<NewRun> = {}): NewRun {
  return {
    id,
    mode: "code-review",
    taskId: "TASK-42",
    session: "claude-code-review-TASK-42",
    headless: true,
    origin: "cli",
    extras: ["--fake-sleep", "1"],
    logPath: `/state/logs/${id}.log`,
    startedAt: `2026-11-30T10:00:0${id.slice(-1)}.000Z`,
    ownerPid: 123,
    ownerStart: "999",
    resumedFrom: null,
    agent: "claude",
    ...claimedFacts(),
    ...extra,
  };
}

/** The seed's database, byte for byte what version 0.1.0 wrote: no user_version, no new columns. */
const SEED_SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, mode TEXT NOT NULL, task_id TEXT NOT NULL, session TEXT NOT NULL, headless INTEGER NOT NULL,
  state TEXT NOT NULL, exit_code INTEGER, reason TEXT, pid INTEGER, owner_pid INTEGER NOT NULL, started_at TEXT NOT NULL,
  ended_at TEXT, origin TEXT NOT NULL, extras TEXT NOT NULL, worktree TEXT, branch TEXT, log_path TEXT NOT NULL,
  activity TEXT, result TEXT, rev INTEGER NOT NULL, tmux_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS one_live_run ON runs(mode, task_id) WHERE state IN ('starting', 'running');
CREATE INDEX IF NOT EXISTS runs_by_task ON runs(task_id, started_at);
CREATE INDEX IF NOT EXISTS runs_by_rev ON runs(rev);
`;

describe("run-db", () => {
  test("opens a database of the seed's version: migrated in place, its runs kept", () => {
    const dir = stateDir();
    const seed = new Database(join(dir, "dispatch.db"));
    seed.run("PRAGMA journal_mode = WAL");
    seed.run(SEED_SCHEMA);
    seed.run(
      `INSERT INTO runs VALUES ('r1', 'interactive', 'TASK-42', 'claude-interactive-TASK-42', 0, 'running', NULL, NULL, 4242, 77,
       '2026-11-01T10:00:00.000Z', NULL, 'ui', '[]', '/wt/TASK-42', 'task/TASK-42', '/s/logs/r1.log', NULL, NULL, 5, '$3')`,
    );
    seed.close();

    const db = RunDb.open(dir);
    const run = db.get("r1");
    expect(run).toMatchObject({
      id: "r1",
      phase: "running",
      headless: false,
      pid: 4242,
      tmuxId: "$3",
      extras: [],
      rev: 5,
      // New facts are unknown for old runs, never guessed.
      pidStart: null,
      socket: null,
      ownerStart: null,
    });
    db.close();
    const check = new Database(join(dir, "dispatch.db"));
    expect(check.query("PRAGMA user_version").get()).toEqual({ user_version: SCHEMA_VERSION });
    check.close();
    // A second open finds nothing to do.
    RunDb.open(dir).close();
  });

  test("refuses a database written by a newer Dispatch, and leaves it as it was", () => {
    const dir = stateDir();
    const newer = new Database(join(dir, "dispatch.db"));
    newer.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    expect(() => RunDb.open(dir)).toThrow(/written by a newer Dispatch/);
    expect(readdirSync(dir).some((f) => f.includes("damaged"))).toBe(false);
  });

  test("a damaged file is moved aside with a warning naming both files", () => {
    const dir = stateDir();
    writeFileSync(join(dir, "dispatch.db"), "garbage ".repeat(100));
    const warnings: string[] = [];
    const db = RunDb.open(dir, (m) => warnings.push(m));
    expect(db.latestPerKey()).toEqual([]);
    db.close();
    const aside = readdirSync(dir).find((f) => f.startsWith("dispatch.db.damaged-"));
    expect(warnings).toEqual([
      `dispatch: ${join(dir, "dispatch.db")} was damaged (file is not a database): moved it to ${join(dir, aside as string)} and rebuilt the run history from the run files beside it`,
    ]);
  });

  test("claim: one live run per {mode, task}; the second claim gets the first", () => {
    const db = RunDb.open(stateDir());
    expect(db.claim(newRun("r1")).reused).toBe(false);
    const second = db.claim(newRun("r2"));
    expect(second).toMatchObject({ reused: true, run: { id: "r1" } });
    expect(db.claim(newRun("r3", { mode: "doc-gen" })).reused).toBe(false);
  });

  test("update is compare-and-set on rev: a stale writer changes nothing", () => {
    const db = RunDb.open(stateDir());
    const { run } = db.claim(newRun("r1"));
    const running = db.update("r1", run.rev, { phase: "running", pid: 10, pidStart: "77" }) as RunRecord;
    expect(running).toMatchObject({ phase: "running", pid: 10, pidStart: "77" });
    expect(running.rev).toBeGreaterThan(run.rev);
    // Written against the old rev: refused.
    expect(db.update("r1", run.rev, { phase: "lost" })).toBeNull();
    expect(db.get("r1")?.phase).toBe("running");
    const ended = db.update("r1", running.rev, { phase: "failed", exitCode: 3, result: { isError: true } });
    expect(ended).toMatchObject({ phase: "failed", exitCode: 3, result: { isError: true } });
    // Ended, the key is free again.
    expect(db.claim(newRun("r2")).reused).toBe(false);
    // A write that would make a second live run of the key is refused, not an error.
    expect(db.update("r1", (ended as RunRecord).rev, { phase: "running" })).toBe("conflict");
  });

  test("changedSince returns every write after a rev, in order; recover never duplicates", () => {
    const db = RunDb.open(stateDir());
    const first = db.claim(newRun("r1")).run;
    const mark = db.maxRev();
    db.update("r1", first.rev, { phase: "finished", exitCode: 0 });
    expect(db.recover(newRun("r9", { phase: "lost", mode: "doc-gen" }))).toBe(true);
    expect(db.recover(newRun("r9", { phase: "lost", mode: "doc-gen" }))).toBe(false);
    expect(db.changedSince(mark).map((r) => [r.id, r.phase])).toEqual([
      ["r1", "finished"],
      ["r9", "lost"],
    ]);
    expect([...db.ids()].sort()).toEqual(["r1", "r9"]);
  });
});
