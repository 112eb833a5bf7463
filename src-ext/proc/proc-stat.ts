/**
 * A line of /proc/PID/stat, read: the parse shared by the engine (liveness.ts) and the CLI's
 * quick answers, which read the file with Bun's own API to load no node:fs.
 */

export type ProcStat = { state: string; ppid: number; pgrp: number; start: string };

/** "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses. Field 22 (starttime, in clock ticks since boot) is the 20th after the comm. */
export function parseProcStat(text: string): ProcStat {
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", ppid: Number(fields[1]), pgrp: Number(fields[2]), start: fields[19] ?? "" };
}
