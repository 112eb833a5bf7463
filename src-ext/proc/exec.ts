import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Runs short-lived helper commands (git, tmux) from argv arrays: never through a shell. */

export type ExecResult = { code: number; stdout: string; stderr: string };

export type ExecOptions = { cwd?: string; env?: Record<string, string | undefined>; stdin?: string };

export async function exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const proc = Bun.spawn(argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** `state`, `ppid` and `pgrp` of a process from /proc (Linux), or null when it is gone or there is no /proc. */
export function procStat(pid: number | string): { state: string; ppid: number; pgrp: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

const HAS_PROC = existsSync("/proc/self/stat");

/**
 * Whether a process still runs. A zombie does not: it has ended and waits for a parent (often a
 * slow init in containers) to reap it, yet `kill -0` still succeeds on it.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !HAS_PROC || procStat(pid)?.state !== "Z";
}

/** Whether any process of a process group still runs (zombies excepted, as above). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (!HAS_PROC) return true;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== "Z") return true;
  }
  return false;
}
