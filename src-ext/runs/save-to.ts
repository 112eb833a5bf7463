import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, realpathSync, writeSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { openedInside } from "../fs/opened-inside.ts";

/**
 * Writes a headless run's answer (`--save-to FILE`) inside the task's worktree, and nowhere else:
 * the worktree is the repository's content, so a committed link `review.md -> ~/.bashrc` or a
 * folder link on the way must not send the write outside it. Every folder on the way is checked
 * without following links, the file is opened with O_NOFOLLOW, and what was opened is checked again.
 */
export function writeInside(worktree: string, target: string, content: string): void {
  const rel = relative(worktree, target);
  if (!rel || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new Error(`${target} is not inside ${worktree}`);
  const root = realpathSync(worktree);
  let dir = root;
  for (const part of dirname(rel)
    .split(sep)
    .filter((p) => p && p !== ".")) {
    dir = join(dir, part);
    let stat: ReturnType<typeof lstatSync> | null = null;
    try {
      stat = lstatSync(dir);
    } catch {
      mkdirSync(dir);
      continue;
    }
    if (stat.isSymbolicLink()) throw new Error(`${relative(root, dir)} is a symbolic link: not written through`);
    if (!stat.isDirectory()) throw new Error(`${relative(root, dir)} is not a folder`);
  }
  const file = join(dir, rel.split(sep).at(-1) as string);
  let fd: number;
  try {
    // Not truncated yet: what was opened is checked first.
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw new Error(`${rel} is a symbolic link: not written through`);
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${rel} is not a regular file`);
    // A hard link is another name of a file that may live outside the worktree.
    if (stat.nlink > 1) throw new Error(`${rel} has other names (hard links): not written`);
    // A folder on the way swapped for a link after it was checked: where the open landed tells.
    if (!openedInside(fd, root)) throw new Error(`${rel} resolved outside the worktree: not written`);
    ftruncateSync(fd, 0);
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}
