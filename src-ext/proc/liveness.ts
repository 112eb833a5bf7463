import { existsSync, readdirSync, readFileSync } from "node:fs";
import { type ProcStat, parseProcStat } from "./proc-stat.ts";

/**
 * Whether processes live, read from /proc where there is one (Linux) and `kill -0` elsewhere.
 * A run's processes are recorded with their start time, so a pid that was reused by an unrelated
 * process after ours ended is never mistaken for ours.
 */

const HAS_PROC = existsSync("/proc/self/stat");

/** Fields of /proc/PID/stat, or null when it is gone or there is no /proc. */
export function procStat(pid: number | string): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** A process's start time (an opaque token to compare), or null where it cannot be read. */
export function startTime(pid: number): string | null {
  return procStat(pid)?.start || null;
}

/**
 * Whether a process still runs. A zombie does not: it has ended and waits for a parent (often a
 * slow init in containers) to reap it, yet `kill -0` still succeeds on it. With `start`, the
 * process must also be the one that started then.
 */
export function alive(pid: number, start: string | null = null): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (!HAS_PROC) return true;
  const stat = procStat(pid);
  if (!stat || stat.state === "Z") return false;
  return start === null || stat.start === start;
}

/**
 * Whether the process group that `leader` started is still there, and is that one: the leader
 * alive and the one recorded (its start time, or, where none was recorded, `arg` among its
 * arguments), or, the leader gone, a member still in its group. Linux does not give a pid to a
 * new process while it names a live process group, so members left in the group are the
 * leader's. A leader's pid reused by another process means the group is gone.
 */
export function groupLives(leader: number, start: string | null, arg: string): boolean {
  if (!Number.isInteger(leader) || leader <= 0) return false;
  if (!HAS_PROC) return groupAlive(leader);
  const stat = procStat(leader);
  if (stat && stat.state !== "Z") {
    if (start !== null) return stat.start === start;
    return hasArg(leader, arg);
  }
  return groupAlive(leader);
}

function hasArg(pid: number | string, arg: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(arg);
  } catch {
    return false;
  }
}

/** Whether any process of a process group still runs (zombies excepted, as above). */
export function groupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 0) return false;
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

/**
 * The first live child of a process, with its start time: an interactive run's agent, which its
 * launcher runs in the foreground of the pane and so cannot name itself. /proc where there is
 * one, `pgrep -P` elsewhere (there without a start time).
 */
export function childOf(pid: number): { pid: number; start: string | null } | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (!HAS_PROC) {
    const out = Bun.spawnSync(["pgrep", "-P", String(pid)], { stdout: "pipe", stderr: "ignore" });
    const child = Number(out.stdout.toString().trim().split("\n")[0]);
    return Number.isInteger(child) && child > 0 ? { pid: child, start: null } : null;
  }
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat && stat.ppid === pid && stat.state !== "Z") return { pid: Number(entry), start: stat.start || null };
  }
  return null;
}

/**
 * Whether a live process has `arg` among its arguments; null where that cannot be known (no
 * /proc). Finds a run's launcher in the instant between its start and its first record.
 */
export function processWithArg(arg: string): boolean | null {
  if (!HAS_PROC) return null;
  for (const entry of readdirSync("/proc")) {
    if (/^\d+$/.test(entry) && hasArg(entry, arg) && procStat(entry)?.state !== "Z") return true;
  }
  return false;
}
