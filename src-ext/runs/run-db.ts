import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { RunInfo, RunResult } from "../protocol/api.ts";
import type { Activity, RunOrigin, RunState } from "../protocol/states.ts";

/**
 * Run records and history in `.run/dispatch.db` (SQLite, WAL). The only file that talks to
 * SQLite. A partial unique index allows one live run per {mode, task}, so two processes (server
 * and CLI) can never both start one: the database refuses the second insert.
 */

/** `starting` is internal: the row is claimed, the agent not yet launched. Users see `running`. */
export type DbState = RunState | "starting";

export type RunRow = {
  id: string;
  mode: string;
  task_id: string;
  session: string;
  headless: number;
  state: DbState;
  exit_code: number | null;
  reason: string | null;
  pid: number | null;
  owner_pid: number;
  started_at: string;
  ended_at: string | null;
  origin: RunOrigin;
  extras: string;
  worktree: string | null;
  branch: string | null;
  log_path: string;
  activity: Activity | null;
  result: string | null;
  rev: number;
  /** tmux's own id of the run's session (`$N`). */
  tmux_id: string | null;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  mode TEXT NOT NULL,
  task_id TEXT NOT NULL,
  session TEXT NOT NULL,
  headless INTEGER NOT NULL,
  state TEXT NOT NULL,
  exit_code INTEGER,
  reason TEXT,
  pid INTEGER,
  owner_pid INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  origin TEXT NOT NULL,
  extras TEXT NOT NULL,
  worktree TEXT,
  branch TEXT,
  log_path TEXT NOT NULL,
  activity TEXT,
  result TEXT,
  rev INTEGER NOT NULL,
  tmux_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS one_live_run ON runs(mode, task_id) WHERE state IN ('starting', 'running');
CREATE INDEX IF NOT EXISTS runs_by_task ON runs(task_id, started_at);
CREATE INDEX IF NOT EXISTS runs_by_rev ON runs(rev);
`;

export function isLive(row: RunRow): boolean {
  return row.state === "starting" || row.state === "running";
}

export function toRunInfo(row: RunRow): RunInfo {
  return {
    runId: row.id,
    mode: row.mode,
    taskId: row.task_id,
    session: row.session,
    headless: row.headless === 1,
    state: row.state === "starting" ? "running" : row.state,
    exitCode: row.exit_code,
    reason: row.reason,
    pid: row.pid,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    origin: row.origin,
    extras: JSON.parse(row.extras) as string[],
    worktree: row.worktree,
    branch: row.branch,
    activity: row.activity,
    result: row.result ? (JSON.parse(row.result) as RunResult) : null,
  };
}

export type NewRun = Pick<RunRow, "id" | "mode" | "task_id" | "session" | "origin" | "log_path"> & {
  headless: boolean;
  extras: string[];
};

export type Ending = { state: RunState; exitCode: number | null; reason: string | null; result?: RunResult | null };

export class RunDb {
  private readonly db: Database;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    this.db = new Database(join(stateDir, "dispatch.db"), { create: true, strict: true });
    // The CLI and the server write at once; wait for the lock rather than fail. First of all:
    // switching a new database to WAL needs the lock too, and two processes may open it at once.
    this.db.run("PRAGMA busy_timeout = 10000");
    this.db.run("PRAGMA journal_mode = WAL");
    this.db.run("PRAGMA synchronous = NORMAL");
    this.db.run(SCHEMA);
    const columns = this.db
      .query<{ name: string }, []>("PRAGMA table_info(runs)")
      .all()
      .map((c) => c.name);
    if (!columns.includes("tmux_id")) this.db.run("ALTER TABLE runs ADD COLUMN tmux_id TEXT");
  }

  close(): void {
    this.db.close();
  }

  private nextRev(): number {
    const row = this.db.query<{ rev: number | null }, []>("SELECT MAX(rev) AS rev FROM runs").get();
    return (row?.rev ?? 0) + 1;
  }

  /**
   * Returns the live run of {mode, task}, or inserts `run` as `starting`. One write transaction
   * (BEGIN IMMEDIATE) holds the database lock from the check to the insert.
   */
  claim(run: NewRun, isStale: (live: RunRow) => Ending | null): { row: RunRow; reused: boolean } {
    return this.write((): { row: RunRow; reused: boolean } => {
      const live = this.db
        .query<RunRow, [string, string]>("SELECT * FROM runs WHERE mode = ? AND task_id = ? AND state IN ('starting', 'running')")
        .get(run.mode, run.task_id);
      if (live) {
        const ending = isStale(live);
        if (!ending) return { row: live, reused: true };
        this.endInTx(live.id, ending);
      }
      this.db
        .query(
          `INSERT INTO runs (id, mode, task_id, session, headless, state, owner_pid, started_at, origin, extras, log_path, rev)
           VALUES (?, ?, ?, ?, ?, 'starting', ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.id,
          run.mode,
          run.task_id,
          run.session,
          run.headless ? 1 : 0,
          process.pid,
          new Date().toISOString(),
          run.origin,
          JSON.stringify(run.extras),
          run.log_path,
          this.nextRev(),
        );
      return { row: this.get(run.id) as RunRow, reused: false };
    });
  }

  /**
   * Every write is an IMMEDIATE transaction: writers from all processes are serialised, so `rev`
   * grows in commit order and a reader that saw rev N has seen everything before it.
   */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Records what the launch gave; the run is now `running`. False when the run was ended while
   * it started (a Stop from another process): the caller must then undo the launch.
   */
  started(id: string, fields: { worktree: string; branch: string; pid: number | null; tmuxId: string | null }): boolean {
    return this.write(
      () =>
        this.db
          .query(
            "UPDATE runs SET state = 'running', worktree = ?, branch = ?, pid = ?, tmux_id = ?, rev = ? WHERE id = ? AND state = 'starting'",
          )
          .run(fields.worktree, fields.branch, fields.pid, fields.tmuxId, this.nextRev(), id).changes > 0,
    );
  }

  private endInTx(id: string, ending: Ending): boolean {
    const changes = this.db
      .query(
        `UPDATE runs SET state = ?, exit_code = ?, reason = ?, result = ?, ended_at = ?, rev = ?
         WHERE id = ? AND state IN ('starting', 'running')`,
      )
      .run(
        ending.state,
        ending.exitCode,
        ending.reason,
        ending.result ? JSON.stringify(ending.result) : null,
        new Date().toISOString(),
        this.nextRev(),
        id,
      ).changes;
    return changes > 0;
  }

  /** Ends a live run; false when it had already ended (first writer wins, so every process agrees). */
  end(id: string, ending: Ending): boolean {
    return this.write(() => this.endInTx(id, ending));
  }

  /** A stopped run may still report the code its agent died with; the state stays `stopped`. */
  noteExitCode(id: string, code: number): void {
    this.write(() =>
      this.db
        .query("UPDATE runs SET exit_code = ?, rev = ? WHERE id = ? AND exit_code IS NULL AND state = 'stopped'")
        .run(code, this.nextRev(), id),
    );
  }

  get(id: string): RunRow | null {
    return this.db.query<RunRow, [string]>("SELECT * FROM runs WHERE id = ?").get(id);
  }

  live(): RunRow[] {
    return this.db.query<RunRow, []>("SELECT * FROM runs WHERE state IN ('starting', 'running')").all();
  }

  /** The newest run of every {mode, task}. */
  latestPerKey(): RunRow[] {
    return this.db
      .query<RunRow, []>(
        `SELECT r.* FROM runs r JOIN (SELECT mode, task_id, MAX(started_at || id) AS k FROM runs GROUP BY mode, task_id) m
         ON r.mode = m.mode AND r.task_id = m.task_id AND (r.started_at || r.id) = m.k`,
      )
      .all();
  }

  latest(mode: string, taskId: string): RunRow | null {
    return this.db
      .query<RunRow, [string, string]>("SELECT * FROM runs WHERE mode = ? AND task_id = ? ORDER BY started_at DESC, id DESC LIMIT 1")
      .get(mode, taskId);
  }

  history(taskId: string | null, limit: number): RunRow[] {
    if (taskId === null) {
      return this.db.query<RunRow, [number]>("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?").all(limit);
    }
    return this.db
      .query<RunRow, [string, number]>("SELECT * FROM runs WHERE task_id = ? ORDER BY started_at DESC, id DESC LIMIT ?")
      .all(taskId, limit);
  }

  /** Rows written (by any process) after `rev`: how the server learns of the CLI's runs. */
  changedSince(rev: number): RunRow[] {
    return this.db.query<RunRow, [number]>("SELECT * FROM runs WHERE rev > ? ORDER BY rev").all(rev);
  }

  maxRev(): number {
    return this.nextRev() - 1;
  }
}
