import {
  appendFileSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeSync,
} from "node:fs";
import { execSync } from "../proc/spawn.ts";

/** A run's log may grow to this (config `log.max`): a chatty agent over a long day stays on disk, bounded. */
export const DEFAULT_LOG_MAX = 256 * 1024 * 1024;
/** The cut is made on filesystem blocks (fallocate's collapse-range needs it); 4 KiB on every filesystem here. */
const BLOCK = 4096;

/**
 * Where a log was cut, in the coordinates of the file before it: bytes [at, at + removed) are
 * gone, and the bytes from `at` on are the marker, then the tail. Written to `<log>.cuts`, one
 * JSON line each, so a follower in any process can find its place again.
 */
export type Cut = { at: number; removed: number; marker: number };

export function cutsFile(log: string): string {
  return `${log}.cuts`;
}

export function readCuts(log: string): Cut[] {
  if (!existsSync(cutsFile(log))) return [];
  return readFileSync(cutsFile(log), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Cut);
}

/** The size of a log's cuts file (0 without one): it grows by a line per cut, so a change means a new cut. */
export function cutsSize(log: string): number {
  try {
    return statSync(cutsFile(log)).size;
  } catch {
    return 0;
  }
}

/** A follower's offset after a cut: untouched before it, shifted after it, at the marker inside it. */
export function afterCut(offset: number, cut: Cut): number {
  if (offset <= cut.at) return offset;
  if (offset >= cut.at + cut.marker + cut.removed) return offset - cut.removed;
  return cut.at;
}

function marker(removed: number): Buffer {
  const mib = (removed / (1024 * 1024)).toFixed(1);
  return Buffer.from(`\n\n[dispatch: ${mib} MiB of this log were cut here: its cap (log.max) keeps the head and the tail]\n\n`);
}

/**
 * Keeps a log at most `max` bytes: its first half and, cut down to three quarters of the cap, its
 * last quarter, with a marker between them. The
 * agent keeps appending (O_APPEND writes land at the end, wherever that now is). On Linux the
 * middle is taken out in place (`fallocate --collapse-range`, ext4 and xfs), so no byte written
 * meanwhile is lost; elsewhere the tail is copied down, and bytes appended during that copy (a few
 * milliseconds) can be lost. The marker overwrites the end of the head. Synchronous from the cut
 * to its record, so no follower in this process reads in between.
 */
export function capLog(path: string, max: number, collapse = collapseRange): Cut | null {
  const size = sizeOf(path);
  if (size <= max) return null;
  const keepHead = Math.max(BLOCK, Math.ceil(max / 2 / BLOCK) * BLOCK);
  // Down to three quarters of the cap, not just under it: a chatty agent is cut once per quarter
  // of the cap it writes, not at every sweep (each cut without collapse-range copies the tail).
  const removed = Math.floor((size - (max * 3) / 4) / BLOCK) * BLOCK + BLOCK;
  if (keepHead + removed > size) return null;
  const mark = marker(removed);
  const at = keepHead - mark.length;
  if (!collapse(path, keepHead, removed)) copyDown(path, keepHead, removed);
  const fd = openSync(path, constants.O_WRONLY);
  try {
    writeSync(fd, mark, 0, mark.length, at);
  } finally {
    closeSync(fd);
  }
  const cut: Cut = { at, removed, marker: mark.length };
  appendFileSync(cutsFile(path), `${JSON.stringify(cut)}\n`, { mode: 0o600 });
  return cut;
}

/** The cap from the engine's loops: a log that cannot be read or cut now is left for the next look, and said. */
export function capLogSafely(path: string, max: number): Cut | null {
  try {
    return capLog(path, max);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      console.error(`dispatch: could not keep ${path} within its cap: ${(error as Error).message}`);
    return null;
  }
}

function sizeOf(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

function collapseRange(path: string, offset: number, length: number): boolean {
  if (process.platform !== "linux" || !Bun.which("fallocate")) return false;
  return execSync(["fallocate", "--collapse-range", "--offset", String(offset), "--length", String(length), "--", path]).code === 0;
}

/** Without collapse-range: the tail read, then written where the cut begins, then the file shortened. */
function copyDown(path: string, from: number, removed: number): void {
  const fd = openSync(path, constants.O_RDWR);
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.allocUnsafe(size - from - removed);
    readSync(fd, tail, 0, tail.length, from + removed);
    writeSync(fd, tail, 0, tail.length, from);
    // ftruncate through the path's fd: appends after this land at the new end.
    ftruncateSync(fd, from + tail.length);
  } finally {
    closeSync(fd);
  }
}
