import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, writeSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";

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
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw new Error(`${rel} is a symbolic link: not written through`);
    throw error;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${rel} is not a regular file`);
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}
