import type { Database } from "bun:sqlite";
import { DispatchError } from "../errors.ts";
import type { Pending, RunResult } from "../protocol/api.ts";
import type { Activity, RunOrigin } from "../protocol/states.ts";
import type { RunRecord } from "./run-record.ts";
import type { Phase, RunFacts } from "./run-state.ts";

/**
 * The database's shape: its versions and what a row of `runs` is.
 *
 * The database's versions (`PRAGMA user_version`). Each migration takes a database of the version
 * before it to its own; they run in one write transaction, so two processes opening an old file at
 * once migrate it once. Never edit a migration that shipped: add the next one.
 */

/** Version 1: the first schema, as the seed wrote it (with `tmux_id`, which it added in place). */
const V1 = `
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

function columns(db: Database): string[] {
  return db
    .query<{ name: string }, []>("PRAGMA table_info(runs)")
    .all()
    .map((c) => c.name);
}

const MIGRATIONS: Array<(db: Database) => void> = [
  // → 1. A seed database has the table (maybe without tmux_id) and user_version 0.
  (db) => {
    db.run(V1);
    if (!columns(db).includes("tmux_id")) db.run("ALTER TABLE runs ADD COLUMN tmux_id TEXT");
  },
  // → 2. Where a run lives, for sure verdicts from any process: the start time of its pid (a
  // reused pid is not it), the tmux server's socket path (a CLI with another TMUX_TMPDIR asks the
  // right server), and the start time of the process that claimed it.
  (db) => {
    db.run("ALTER TABLE runs ADD COLUMN pid_start TEXT");
    db.run("ALTER TABLE runs ADD COLUMN tmux_socket TEXT");
    db.run("ALTER TABLE runs ADD COLUMN owner_start TEXT");
  },
  // → 3. What an agent does and asks (DESIGN §12): its session id, what it waits for, the run a
  // resume continues, and which agent it is.
  (db) => {
    db.run("ALTER TABLE runs ADD COLUMN session_id TEXT");
    db.run("ALTER TABLE runs ADD COLUMN pending TEXT");
    db.run("ALTER TABLE runs ADD COLUMN resumed_from TEXT");
    db.run("ALTER TABLE runs ADD COLUMN agent TEXT NOT NULL DEFAULT 'claude'");
  },
  // → 4. Retention (runs/retention.ts) forgets old runs; what they cost stays in the task's total.
  (db) => {
    db.run("CREATE TABLE IF NOT EXISTS forgotten (task_id TEXT PRIMARY KEY, runs INTEGER NOT NULL, cost REAL)");
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function version(db: Database): number {
  return db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
}

/** Brings the database to SCHEMA_VERSION; a newer file than this Dispatch knows is refused, not touched. */
export function migrate(db: Database, file: string): void {
  if (version(db) === SCHEMA_VERSION) return;
  db.transaction(() => {
    const from = version(db);
    if (from > SCHEMA_VERSION) {
      throw new DispatchError(
        "config",
        `${file} was written by a newer Dispatch (schema ${from}; this one knows ${SCHEMA_VERSION}): update Dispatch`,
      );
    }
    for (let v = from; v < SCHEMA_VERSION; v++) (MIGRATIONS[v] as (db: Database) => void)(db);
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** A row of `runs`, as SQLite gives it. */
export type Row = {
  id: string;
  mode: string;
  task_id: string;
  session: string;
  headless: number;
  state: Phase;
  exit_code: number | null;
  reason: string | null;
  pid: number | null;
  pid_start: string | null;
  owner_pid: number;
  owner_start: string | null;
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
  tmux_id: string | null;
  tmux_socket: string | null;
  session_id: string | null;
  pending: string | null;
  resumed_from: string | null;
  agent: string;
};

export function fromRow(row: Row): RunRecord {
  return {
    id: row.id,
    mode: row.mode,
    taskId: row.task_id,
    session: row.session,
    headless: row.headless === 1,
    origin: row.origin,
    extras: JSON.parse(row.extras) as string[],
    logPath: row.log_path,
    startedAt: row.started_at,
    ownerPid: row.owner_pid,
    ownerStart: row.owner_start,
    rev: row.rev,
    phase: row.state,
    exitCode: row.exit_code,
    reason: row.reason,
    result: row.result ? (JSON.parse(row.result) as RunResult) : null,
    activity: row.activity,
    endedAt: row.ended_at,
    worktree: row.worktree,
    branch: row.branch,
    pid: row.pid,
    pidStart: row.pid_start,
    tmuxId: row.tmux_id,
    socket: row.tmux_socket,
    sessionId: row.session_id,
    pending: row.pending ? (JSON.parse(row.pending) as Pending) : null,
    resumedFrom: row.resumed_from,
    agent: row.agent,
  };
}

/** Columns of the facts a transition writes. */
export const FACT_COLUMNS: Record<keyof RunFacts, string> = {
  phase: "state",
  exitCode: "exit_code",
  reason: "reason",
  result: "result",
  activity: "activity",
  endedAt: "ended_at",
  worktree: "worktree",
  branch: "branch",
  pid: "pid",
  pidStart: "pid_start",
  tmuxId: "tmux_id",
  socket: "tmux_socket",
  sessionId: "session_id",
  pending: "pending",
};

export type Value = string | number | null;

export function toColumn(key: keyof RunFacts, value: unknown): Value {
  if (key === "result" || key === "pending") return value ? JSON.stringify(value) : null;
  return (value ?? null) as Value;
}
