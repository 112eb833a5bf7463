import { Database } from "bun:sqlite";
import { closeSync, existsSync, openSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DispatchError, describe, stateError } from "../errors.ts";
import type { Activity } from "../protocol/states.ts";
import { FACT_COLUMNS, fromRow, migrate, type Row, toColumn, type Value } from "./run-db-schema.ts";
import { historyOf } from "./run-history.ts";
import type { RunRecord } from "./run-record.ts";
import type { Phase, RunFacts } from "./run-state.ts";

/**
 * Run records and history in `.run/dispatch.db` (SQLite, WAL). The only file that talks to
 * SQLite. A partial unique index allows one live run per {mode, task}, so two processes (server
 * and CLI) can never both start one: the database refuses the second insert. Every write is
 * compare-and-set on `rev`, so two processes observing one run agree on one outcome.
 */

/** A new run, as claimed; or a run rebuilt from disk, in whatever phase it was found. */
export type NewRun = Omit<RunRecord, "rev">;

const LIVE = "state IN ('starting', 'running')";

function isConstraint(error: unknown): boolean {
  return String((error as { code?: string }).code).startsWith("SQLITE_CONSTRAINT");
}

function isDamage(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT";
}

export class RunDb {
  private readonly db: Database;

  private constructor(readonly file: string) {
    this.db = new Database(file, { create: true, strict: true });
    // The CLI and the server write at once; wait for the lock rather than fail. First of all:
    // switching a new database to WAL needs the lock too, and two processes may open it at once.
    this.db.run("PRAGMA busy_timeout = 10000");
    this.db.run("PRAGMA journal_mode = WAL");
    this.db.run("PRAGMA synchronous = NORMAL");
    migrate(this.db, file);
  }

  /**
   * Opens the state folder's database. A damaged file is moved aside (with its WAL) and a new one
   * made; `warn` names both files. The lifecycle then rebuilds the history from the run files.
   */
  static open(stateDir: string, warn: (message: string) => void = (m) => console.error(m)): RunDb {
    const file = join(stateDir, "dispatch.db");
    try {
      return new RunDb(file);
    } catch (error) {
      if (error instanceof DispatchError) throw error;
      if (!isDamage(error)) throw stateError(file, error);
      return RunDb.repair(file, error, warn);
    }
  }

  private static repair(file: string, damage: unknown, warn: (message: string) => void): RunDb {
    // One process repairs; another that found the damage at the same moment waits, then opens the new file.
    const lock = `${file}.repair-lock`;
    let fd: number | null = null;
    for (let tries = 0; fd === null; tries++) {
      try {
        fd = openSync(lock, "wx", 0o600);
      } catch {
        // A repair takes milliseconds; a lock still there after 2 s was left by a crashed process.
        if (tries > 200) rmSync(lock, { force: true });
        Bun.sleepSync(10);
      }
    }
    try {
      try {
        return new RunDb(file);
      } catch (error) {
        if (!isDamage(error)) throw stateError(file, error);
      }
      const aside = `${file}.damaged-${new Date().toISOString().replaceAll(":", "-")}`;
      renameSync(file, aside);
      for (const suffix of ["-wal", "-shm"]) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
      warn(
        `dispatch: ${file} was damaged (${describe(damage)}): moved it to ${aside} and rebuilt the run history from the run files beside it`,
      );
      return new RunDb(file);
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }

  close(): void {
    this.db.close();
  }

  private nextRev(): number {
    const row = this.db.query<{ rev: number | null }, []>("SELECT MAX(rev) AS rev FROM runs").get();
    return (row?.rev ?? 0) + 1;
  }

  /**
   * Every write is an IMMEDIATE transaction: writers from all processes are serialised, so `rev`
   * grows in commit order and a reader that saw rev N has seen everything before it.
   */
  private write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (error) {
      if (error instanceof DispatchError || isConstraint(error)) throw error;
      throw stateError(this.file, error);
    }
  }

  private insert(run: NewRun): boolean {
    return (
      this.db
        .query(
          `INSERT OR IGNORE INTO runs (id, mode, task_id, session, headless, state, exit_code, reason, pid, pid_start, owner_pid,
             owner_start, started_at, ended_at, origin, extras, worktree, branch, log_path, activity, result, rev, tmux_id, tmux_socket,
             session_id, pending, resumed_from, agent)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.id,
          run.mode,
          run.taskId,
          run.session,
          run.headless ? 1 : 0,
          run.phase,
          run.exitCode,
          run.reason,
          run.pid,
          run.pidStart,
          run.ownerPid,
          run.ownerStart,
          run.startedAt,
          run.endedAt,
          run.origin,
          JSON.stringify(run.extras),
          run.worktree,
          run.branch,
          run.logPath,
          run.activity,
          run.result ? JSON.stringify(run.result) : null,
          this.nextRev(),
          run.tmuxId,
          run.socket,
          run.sessionId,
          run.pending ? JSON.stringify(run.pending) : null,
          run.resumedFrom,
          run.agent,
        ).changes > 0
    );
  }

  /**
   * Returns the live run of {mode, task}, or inserts `run` (phase `starting`). One write
   * transaction holds the database lock from the check to the insert.
   */
  claim(run: NewRun): { run: RunRecord; reused: boolean } {
    return this.write(() => {
      const live = this.db
        .query<Row, [string, string]>(`SELECT * FROM runs WHERE mode = ? AND task_id = ? AND ${LIVE}`)
        .get(run.mode, run.taskId);
      if (live) return { run: fromRow(live), reused: true };
      this.insert(run);
      return { run: this.get(run.id) as RunRecord, reused: false };
    });
  }

  /** Records a run found on disk but not here (a lost or rebuilt database); false when it is already known. */
  recover(run: NewRun): boolean {
    return this.write(() => this.insert(run));
  }

  /**
   * Writes `set` if the run is still at `rev` (nobody else changed it meanwhile); returns the new
   * record, null when it had changed (the caller reads it again and decides anew), or `conflict`
   * when the write would make a second live run of its {mode, task}.
   */
  update(id: string, rev: number, set: Partial<RunFacts>): RunRecord | null | "conflict" {
    const keys = Object.keys(set) as (keyof RunFacts)[];
    try {
      return this.write(() => {
        const assignments = keys.map((k) => `${FACT_COLUMNS[k]} = ?`);
        const values = keys.map((k) => toColumn(k, set[k]));
        const changes = this.db
          .query<never, Value[]>(`UPDATE runs SET ${[...assignments, "rev = ?"].join(", ")} WHERE id = ? AND rev = ?`)
          .run(...values, this.nextRev(), id, rev).changes;
        return changes > 0 ? this.get(id) : null;
      });
    } catch (error) {
      if (isConstraint(error)) return "conflict";
      throw error;
    }
  }

  get(id: string): RunRecord | null {
    const row = this.db.query<Row, [string]>("SELECT * FROM runs WHERE id = ?").get(id);
    return row ? fromRow(row) : null;
  }

  live(): RunRecord[] {
    return this.db.query<Row, []>(`SELECT * FROM runs WHERE ${LIVE}`).all().map(fromRow);
  }

  ids(): Set<string> {
    return new Set(
      this.db
        .query<{ id: string }, []>("SELECT id FROM runs")
        .all()
        .map((r) => r.id),
    );
  }

  /** What each run was at its last write, in a few columns: what events carry as "previous". */
  states(): Array<{ id: string; rev: number; phase: Phase; activity: Activity | null }> {
    return this.db
      .query<{ id: string; rev: number; phase: Phase; activity: Activity | null }, []>("SELECT id, rev, state AS phase, activity FROM runs")
      .all();
  }

  /** The newest run of every {mode, task}. */
  latestPerKey(): RunRecord[] {
    return this.db
      .query<Row, []>(
        `SELECT r.* FROM runs r JOIN (SELECT mode, task_id, MAX(started_at || id) AS k FROM runs GROUP BY mode, task_id) m
         ON r.mode = m.mode AND r.task_id = m.task_id AND (r.started_at || r.id) = m.k`,
      )
      .all()
      .map(fromRow);
  }

  latest(mode: string, taskId: string): RunRecord | null {
    const row = this.db
      .query<Row, [string, string]>("SELECT * FROM runs WHERE mode = ? AND task_id = ? ORDER BY started_at DESC, id DESC LIMIT 1")
      .get(mode, taskId);
    return row ? fromRow(row) : null;
  }

  latestWithSession(mode: string, taskId: string): RunRecord | null {
    const row = this.db
      .query<Row, [string, string]>(
        "SELECT * FROM runs WHERE mode = ? AND task_id = ? AND session_id IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT 1",
      )
      .get(mode, taskId);
    return row ? fromRow(row) : null;
  }

  /** Each task's cost so far: the sum over its runs' final results (Claude Code's `total_cost_usd`). */
  /** Each task's cost so far: its runs', and what the runs retention forgot had cost. */
  costs(): Map<string, number> {
    const rows = this.db
      .query<{ task_id: string; cost: number | null }, []>(
        `SELECT task_id, SUM(cost) AS cost FROM (
           SELECT task_id, json_extract(result, '$.costUsd') AS cost FROM runs WHERE result IS NOT NULL
           UNION ALL SELECT task_id, cost FROM forgotten
         ) GROUP BY task_id`,
      )
      .all();
    return new Map(rows.filter((r) => r.cost !== null).map((r) => [r.task_id, r.cost as number]));
  }

  /**
   * Ended runs of a task beyond its newest `keep` (live runs never count and are never chosen),
   * newest first: what retention may forget.
   */
  beyond(taskId: string, keep: number): RunRecord[] {
    // The newest run of each mode always stays: it is what Resume continues and the board shows.
    return this.db
      .query<Row, [string, number]>(
        `SELECT * FROM runs WHERE task_id = ? AND NOT ${LIVE} ORDER BY started_at DESC, id DESC LIMIT -1 OFFSET ?`,
      )
      .all(taskId, keep)
      .map(fromRow)
      .filter((run) => !this.newestOfMode(run));
  }

  private newestOfMode(run: RunRecord): boolean {
    const newest = this.db
      .query<{ id: string }, [string, string]>(
        "SELECT id FROM runs WHERE task_id = ? AND mode = ? ORDER BY started_at DESC, id DESC LIMIT 1",
      )
      .get(run.taskId, run.mode);
    return newest?.id === run.id;
  }

  /** Tasks with more than `keep` ended runs. */
  tasksBeyond(keep: number): string[] {
    return this.db
      .query<{ task_id: string }, [number]>(`SELECT task_id FROM runs WHERE NOT ${LIVE} GROUP BY task_id HAVING COUNT(*) > ?`)
      .all(keep)
      .map((r) => r.task_id);
  }

  /** Forgets these runs of a task, keeping their count and cost in its total. */
  forget(taskId: string, runs: RunRecord[]): void {
    if (runs.length === 0) return;
    this.write(() => {
      const cost = runs.reduce((sum, r) => sum + (r.result?.costUsd ?? 0), 0);
      this.db
        .query(
          "INSERT INTO forgotten (task_id, runs, cost) VALUES (?, ?, ?) ON CONFLICT(task_id) DO UPDATE SET runs = runs + excluded.runs, cost = COALESCE(cost, 0) + excluded.cost",
        )
        .run(taskId, runs.length, cost);
      const remove = this.db.query(`DELETE FROM runs WHERE id = ? AND NOT ${LIVE}`);
      for (const run of runs) remove.run(run.id);
    });
  }

  history(taskId: string | null, limit: number): RunRecord[] {
    return historyOf(this.db, taskId, limit);
  }

  /** Runs written (by any process) after `rev`: how the server learns of the CLI's runs. */
  changedSince(rev: number): RunRecord[] {
    return this.db.query<Row, [number]>("SELECT * FROM runs WHERE rev > ? ORDER BY rev").all(rev).map(fromRow);
  }

  maxRev(): number {
    return this.nextRev() - 1;
  }
}
