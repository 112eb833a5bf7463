import type { Database } from "bun:sqlite";
import { DispatchError } from "../errors.ts";

/**
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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function version(db: Database): number {
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
