import { Database } from "bun:sqlite";
import { fromRow, type Row, SCHEMA_VERSION, version } from "./run-db-schema.ts";
import type { RunRecord } from "./run-record.ts";

/** The newest runs, of one task or of all: RunDb's history, and the CLI's quick read of it. */
export function historyOf(db: Database, taskId: string | null, limit: number): RunRecord[] {
  const rows =
    taskId === null
      ? db.query<Row, [number]>("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?").all(limit)
      : db
          .query<Row, [string, number]>("SELECT * FROM runs WHERE task_id = ? ORDER BY started_at DESC, id DESC LIMIT ?")
          .all(taskId, limit);
  return rows.map(fromRow);
}

/**
 * The history from a database the server keeps, opened read-only: no migration, no repair
 * (RunDb.open's, which load node:fs). Null when the file cannot be read (missing, damaged, busy
 * past the wait) or is not of this Dispatch's schema: the full path then answers, repairs or
 * migrates it, or says why not.
 */
export function readHistory(file: string, taskId: string | null, limit: number): RunRecord[] | null {
  let db: Database | null = null;
  try {
    db = new Database(file, { readonly: true, strict: true });
    // A WAL reader may meet a checkpoint or a recovery: wait as the server's writers do, briefly.
    db.run("PRAGMA busy_timeout = 2000");
    return version(db) === SCHEMA_VERSION ? historyOf(db, taskId, limit) : null;
  } catch {
    return null;
  } finally {
    db?.close();
  }
}
