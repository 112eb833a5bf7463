import { readFileSync } from "node:fs";
import { LaunchSpec } from "./launch-spec.ts";
import { type ProbeDeps, probe } from "./probe.ts";
import type { NewRun, RunDb } from "./run-db.ts";
import type { RunFiles } from "./run-files.ts";
import { claimedFacts, transition } from "./run-state.ts";

/**
 * Rebuilds records from what is on disk when the database does not know a run (it was emptied,
 * damaged and moved aside, or lost a write): the spec says what the run is, the launcher's pid and
 * exit records and tmux say where it is and how it ended. A run found alive is adopted as
 * `running`, never started twice and never killed for want of a record.
 */
export async function recoverFromDisk(files: RunFiles, db: RunDb, deps: ProbeDeps): Promise<number> {
  const ids = files.specIds();
  if (ids.length === 0) return 0;
  const known = db.ids();
  let count = 0;
  for (const id of ids) {
    if (!known.has(id) && (await recoverRun(id, files, db, deps).catch(() => false))) count++;
  }
  return count;
}

/** Records one run from its files; false when there is no readable spec or the run is already known. */
export async function recoverRun(id: string, files: RunFiles, db: RunDb, deps: ProbeDeps): Promise<boolean> {
  let spec: LaunchSpec;
  try {
    spec = LaunchSpec.parse(JSON.parse(readFileSync(files.spec(id), "utf8")));
  } catch {
    return false;
  }
  const start = files.readStart(id);
  let run: NewRun = {
    id,
    mode: spec.mode,
    taskId: spec.taskId,
    session: spec.session,
    headless: spec.headless,
    origin: spec.origin,
    extras: spec.extras,
    logPath: spec.logFile,
    startedAt: spec.claimedAt,
    // Whoever dispatched it is not known any more: the run is judged by its own files and process.
    ownerPid: 0,
    ownerStart: null,
    resumedFrom: null,
    agent: "claude",
    ...claimedFacts(),
    worktree: spec.cwd,
    branch: spec.branch,
    pid: start?.pid ?? null,
    pidStart: start?.pidStart ?? null,
    tmuxId: null,
    socket: spec.socket,
  };
  const observation = await probe({ ...run, rev: 0 }, deps);
  const change = observation ? transition(run, observation, new Date().toISOString()) : null;
  if (change) run = { ...run, ...change.set };
  return db.recover(run);
}
