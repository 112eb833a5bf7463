import { join, resolve } from "node:path";
import { parseProcStat } from "../proc/proc-stat.ts";
import { NAME_PATTERN } from "../protocol/names.ts";
import { findRepoAsync } from "../repo-root.ts";
import { readHistory } from "../runs/run-history.ts";
import { toRunInfo } from "../runs/run-record.ts";
import { runRows, table } from "./format.ts";

/*
 * Everything here reads with Bun's own file API, not node:fs: loading node:fs costs about 3 ms,
 * half of Bun's whole start (6 ms) on this machine, and this path exists to answer at once.
 */

type Stat = { isDirectory(): boolean; isFile(): boolean; mode: number; uid: number };

async function statOf(path: string): Promise<Stat | null> {
  try {
    return await Bun.file(path).stat();
  } catch {
    return null;
  }
}

/** A folder or file of this user's that no one else may read (0700, 0600): git never checks one out so. */
function privateOurs(stat: Stat | null, folder: boolean): boolean {
  if (!stat || !(folder ? stat.isDirectory() : stat.isFile())) return false;
  return (stat.mode & 0o077) === 0 && (!process.getuid || stat.uid === process.getuid());
}

/** Whether `pid` is the live, not yet reaped process of this user's that started at `start`. */
async function oursAndAlive(pid: number, start: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
    const stat = parseProcStat(await Bun.file(`/proc/${pid}/stat`).text());
    // Where there is no /proc to tell (the read throws), the full path answers.
    return stat.state !== "Z" && stat.start === start && (await statOf(`/proc/${pid}`))?.uid === process.getuid?.();
  } catch {
    return false;
  }
}

/**
 * Whether the Dispatch server of this state folder runs: server.json names this very folder (a
 * linked `.run` names its target's; Bun's stat follows links, and this check is what tells
 * them apart) and a live process of this user's by pid and start time, and both the folder and
 * the file are this user's private ones, as a server leaves them (the engine's full check also
 * asks git, which costs a process here).
 */
async function serverRuns(stateDir: string): Promise<boolean> {
  const file = join(stateDir, "server.json");
  if (!privateOurs(await statOf(stateDir), true) || !privateOurs(await statOf(file), false)) return false;
  try {
    const info = JSON.parse(await Bun.file(file).text()) as { pid?: unknown; pidStart?: unknown; stateDir?: unknown };
    if (info.stateDir !== stateDir || typeof info.pid !== "number" || typeof info.pidStart !== "string") return false;
    return await oursAndAlive(info.pid, info.pidStart);
  } catch {
    return false;
  }
}

/**
 * `dispatch status` without arguments (the newest 50 runs) and `dispatch runs [--task ID]` (200),
 * answered from the state folder alone while this repository's server runs: the server keeps the
 * database true as runs change (it follows their exits and processes), so reading it is the
 * answer. Loads no engine, no task, no schema library, no node:fs. Without a running server, or
 * with a database of another schema, it returns null, and the full path looks at every live run
 * itself.
 */
export async function quickStatus(
  env: Record<string, string | undefined>,
  cwd: string,
  options: { json: boolean; task: string | null; limit: number },
): Promise<number | null> {
  const exists = async (path: string) => (await statOf(path)) !== null;
  const repo = resolve(env.DISPATCH_REPO || (await findRepoAsync(cwd, exists)));
  const stateDir = env.DISPATCH_STATE_DIR ? resolve(env.DISPATCH_STATE_DIR) : join(repo, ".run");
  if (!(await serverRuns(stateDir))) return null;
  const records = readHistory(join(stateDir, "dispatch.db"), options.task, options.limit);
  if (!records) return null;
  const runs = records.map(toRunInfo);
  const out = options.json ? JSON.stringify({ runs }, null, 2) : runs.length ? table(runRows(runs)) : "no runs yet";
  // Bun.write to stdout: process.stdout costs more to set up (6 ms here) than all the rest.
  await Bun.write(Bun.stdout, `${out}\n`);
  return 0;
}

/** `status` (newest 50 runs) and `runs [--task ID]` (200), when nothing else is asked: what the quick path answers. */
export function quickQuery(argv: string[]): { task: string | null; limit: number } | null {
  const rest = argv.slice(1).filter((a) => a !== "--json");
  if (argv[0] === "status" && rest.length === 0) return { task: null, limit: 50 };
  if (argv[0] !== "runs") return null;
  if (rest.length === 0) return { task: null, limit: 200 };
  // `--task ID` and nothing else; anything else, or an id to refuse, goes the full way (which says what is wrong).
  const task = rest.length === 2 && rest[0] === "--task" ? rest[1] : undefined;
  return task && NAME_PATTERN.test(task) ? { task, limit: 200 } : null;
}

/** The CLI's arguments answered on the quick path, or null: the full path answers them. */
export async function quickAnswer(argv: string[], env: Record<string, string | undefined>, cwd: string): Promise<number | null> {
  const query = quickQuery(argv);
  return query ? quickStatus(env, cwd, { json: argv.includes("--json"), ...query }) : null;
}
