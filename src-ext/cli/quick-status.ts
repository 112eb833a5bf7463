import { lstatSync, readFileSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { alive } from "../proc/liveness.ts";
import { findRepo } from "../repo-root.ts";
import { RunDb } from "../runs/run-db.ts";
import { toRunInfo } from "../runs/run-record.ts";
import { runRows, table } from "./format.ts";

/** A real folder or file of this user's, that no one else may read (0700, 0600): git never checks one out so. */
function privateOurs(path: string, folder: boolean): boolean {
  const stat = lstatSync(path);
  return (folder ? stat.isDirectory() : stat.isFile()) && (stat.mode & 0o077) === 0 && (!process.getuid || stat.uid === process.getuid());
}

/**
 * Whether the Dispatch server of this state folder runs: server.json names a process of this
 * user's by pid and start time, and both it and the folder are this user's private ones, as a
 * server leaves them (the engine's full check also asks git, which costs a process here).
 */
function serverRuns(stateDir: string): boolean {
  try {
    if (!privateOurs(stateDir, true) || !privateOurs(join(stateDir, "server.json"), false)) return false;
    const info = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as { pid?: unknown; pidStart?: unknown };
    if (typeof info.pid !== "number" || typeof info.pidStart !== "string" || !alive(info.pid, info.pidStart)) return false;
    // The process is this user's (a planted server.json naming pid 1 and its well-known start time
    // is not); where there is no /proc to tell, the full path answers.
    return !process.getuid || lstatSync(`/proc/${info.pid}`).uid === process.getuid();
  } catch {
    return false;
  }
}

/**
 * `dispatch status` without arguments (the newest 50 runs) and `dispatch runs [--task ID]` (200),
 * answered from the state folder alone while this repository's
 * server runs: the server keeps the database true as runs change (it follows their exits and
 * processes), so reading it is the answer. Loads no engine, no task, no schema library (about 60 ms
 * of imports saved here). Without a running server it returns null, and the full path looks at
 * every live run itself.
 */
export function quickStatus(
  env: Record<string, string | undefined>,
  cwd: string,
  options: { json: boolean; task: string | null; limit: number },
): number | null {
  const repo = resolve(env.DISPATCH_REPO || findRepo(cwd));
  const stateDir = env.DISPATCH_STATE_DIR ? resolve(env.DISPATCH_STATE_DIR) : join(repo, ".run");
  if (!serverRuns(stateDir)) return null;
  const db = RunDb.open(stateDir);
  try {
    const runs = db.history(options.task, options.limit).map(toRunInfo);
    const out = options.json ? JSON.stringify({ runs }, null, 2) : runs.length ? table(runRows(runs)) : "no runs yet";
    // writeSync: Bun sets up process.stdout on first use, which costs more (6 ms here) than all the rest.
    writeSync(1, `${out}\n`);
    return 0;
  } finally {
    db.close();
  }
}
