import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from "node:fs";
import { dirname, sep } from "node:path";
import { openedInside } from "../fs/opened-inside.ts";

/**
 * What may be read as a task file, decided without following a link and without opening anything
 * that could block or never end: a regular file, at most MAX_TASK_BYTES, inside the tasks folder.
 * A FIFO opened for reading blocks until a writer comes; `/dev/zero` never ends; a link can point
 * anywhere on the disk, and arrives with a `git pull`. The same rules hold at start-up and while
 * watching.
 */

/** A task is a page of markdown; 1 MiB is far beyond any real one and bounds what a file can cost. */
export const MAX_TASK_BYTES = 1024 * 1024;

export type PathKind =
  | { kind: "gone" }
  | { kind: "folder" }
  | { kind: "file"; mtimeMs: number; size: number }
  | { kind: "refused"; reason: string }
  | { kind: "other" };

/** What a path under the tasks folder is, by `lstat`: links are described, never followed. */
export function inspect(path: string): PathKind {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return { kind: "gone" };
  }
  if (stat.isDirectory()) return { kind: "folder" };
  const markdown = path.endsWith(".md");
  if (stat.isSymbolicLink()) {
    let toFolder = false;
    try {
      toFolder = statSync(path).isDirectory();
    } catch {}
    if (!markdown && !toFolder) return { kind: "other" };
    return { kind: "refused", reason: `a symbolic link${toFolder ? " to a folder" : ""}: links in the tasks folder are not followed` };
  }
  if (!markdown) return { kind: "other" };
  if (!stat.isFile()) return { kind: "refused", reason: "not a regular file (a FIFO, socket or device): not read" };
  if (stat.size > MAX_TASK_BYTES) return { kind: "refused", reason: `${stat.size} bytes: a task file is at most 1 MiB; not read` };
  return { kind: "file", mtimeMs: stat.mtimeMs, size: stat.size };
}

/**
 * Real paths within one scan of the tasks folder: each folder is resolved once, not once per file
 * in it (two `realpath` calls per file were a third of loading 5,000 tasks). The open file is still
 * checked where it landed (`readTaskFile`), so a folder swapped for a link during the scan is caught.
 */
export type RealPaths = Map<string, string>;

function real(path: string, cache?: RealPaths): string {
  const known = cache?.get(path);
  if (known !== undefined) return known;
  const resolved = realpathSync(path);
  cache?.set(path, resolved);
  return resolved;
}

/** Whether `path` lies in `folder` once links in its parents are resolved (a parent may have become a link). */
export function isInside(path: string, folder: string, cache?: RealPaths): boolean {
  try {
    const parent = real(dirname(path), cache);
    const root = real(folder, cache);
    return parent === root || parent.startsWith(root + sep);
  } catch {
    return false;
  }
}

/**
 * Reads a task file, checking again on the open file what `inspect` saw: the path may have been
 * swapped for a link or a FIFO in between. Never blocks, never reads more than the cap.
 */
export function readTaskFile(path: string, folder: string, cache?: RealPaths): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error("not a regular file: not read");
    // A parent folder swapped for a link after the check: where the open landed tells.
    if (!openedInside(fd, real(folder, cache))) throw new Error("outside the tasks folder (through a link): not read");
    if (stat.size > MAX_TASK_BYTES) throw new Error(`${stat.size} bytes: a task file is at most 1 MiB; not read`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n <= 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
