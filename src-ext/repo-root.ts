import { dirname, join, resolve } from "node:path";

/** What marks a repository's root for Dispatch. */
const MARKS = [".git", "dispatch.config.toml"];

/** The paths that would mark each folder from `start` up as a repository's root, nearest first. */
function* candidates(start: string): Generator<{ dir: string; marks: string[] }> {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    yield { dir, marks: MARKS.map((m) => join(dir, m)) };
    if (dirname(dir) === dir) return;
  }
}

/**
 * Walks up from `start` to the first folder holding `.git` or `dispatch.config.toml` (`start`
 * itself when none does): no process spawned. `exists` is the engine's existsSync; the CLI's
 * quick answers use findRepoAsync with Bun's own file API, which loads no node:fs (3 ms of a
 * 6 ms start here).
 */
export function findRepo(start: string, exists: (path: string) => boolean): string {
  for (const { dir, marks } of candidates(start)) if (marks.some(exists)) return dir;
  return resolve(start);
}

export async function findRepoAsync(start: string, exists: (path: string) => Promise<boolean>): Promise<string> {
  for (const { dir, marks } of candidates(start)) {
    for (const mark of marks) if (await exists(mark)) return dir;
  }
  return resolve(start);
}
