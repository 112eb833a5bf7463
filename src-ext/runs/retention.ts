import type { RunDb } from "./run-db.ts";
import type { RunFiles } from "./run-files.ts";

/** Runs kept per task, with their logs and records, unless config `retention.runs` says otherwise. */
export const DEFAULT_KEPT_RUNS = 50;

/**
 * Keeps the state folder bounded (issue 13): a task keeps its newest `keep` ended runs, with their
 * logs, specs, exit, pid and event files; older ones are forgotten, files first, and what they
 * cost stays in the task's total. A live run is never touched. Called when a run of the task ends,
 * and for every task when a server starts.
 */
export function pruneTask(db: RunDb, files: RunFiles, taskId: string, keep: number): number {
  const old = db.beyond(taskId, keep);
  for (const run of old) files.forget(run.id);
  db.forget(taskId, old);
  return old.length;
}

export function pruneAll(db: RunDb, files: RunFiles, keep: number): number {
  let forgotten = 0;
  for (const taskId of db.tasksBeyond(keep)) forgotten += pruneTask(db, files, taskId, keep);
  return forgotten;
}
