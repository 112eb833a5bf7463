import { closeSync, constants, lstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { CommitInfo, FileChange, FileStatus } from "../protocol/worktree.ts";
import type { Base } from "./base.ts";
import { type Git, gitOut } from "./git.ts";

/**
 * What a task branch holds, read from git (DESIGN §13): everything against the merge base with
 * its base (what a merge would bring), and the worktree's uncommitted changes. Paths are read
 * with -z, so any file name (spaces, newlines, quotes) comes through as it is.
 */

/** A commit list past this is cut: the Changes tab shows the newest; `ahead` still counts them all. */
const MAX_COMMITS = 500;
/** Lines of an untracked file are counted up to this size; a bigger one counts as binary-like (no line counts). */
const MAX_COUNTED_BYTES = 4 * 1024 * 1024;
/**
 * What one look counts of untracked files in all: reads are synchronous, and a worktree with an
 * unignored `node_modules` must not hold the server for seconds. Past it, files are listed uncounted.
 */
const COUNT_BUDGET = { files: 2000, bytes: 32 * 1024 * 1024 };

const LETTERS: Record<string, FileStatus> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type-changed",
  U: "conflicted",
};

/** Literal paths: a file named `:(glob)*` or `*.ts` is that file, not a pattern. */
export const LITERAL = { GIT_LITERAL_PATHSPECS: "1" };

export function refOf(base: Base): string {
  return base.branch ? `refs/heads/${base.branch}` : base.commit;
}

export async function mergeBaseOf(git: Git, base: Base, branch: string): Promise<string> {
  return (await gitOut(git, ["merge-base", refOf(base), `refs/heads/${branch}`], `finding where ${branch} and its base meet`)).trim();
}

/** Commits on the branch not on its base, and on its base not on the branch. */
export async function aheadBehind(git: Git, base: Base, branch: string): Promise<{ ahead: number; behind: number }> {
  const out = await gitOut(git, ["rev-list", "--left-right", "--count", `${refOf(base)}...refs/heads/${branch}`], "counting commits");
  const [behind = 0, ahead = 0] = out.trim().split(/\s+/).map(Number);
  return { ahead, behind };
}

export async function commitsOf(git: Git, from: string, branch: string): Promise<CommitInfo[]> {
  const out = await gitOut(
    git,
    ["log", "-z", `--max-count=${MAX_COMMITS}`, "--format=%H%x1f%s%x1f%an%x1f%aI", `${from}..refs/heads/${branch}`],
    "listing the branch's commits",
  );
  return out
    .split("\0")
    .filter(Boolean)
    .map((record) => {
      const [sha = "", subject = "", author = "", date = ""] = record.replace(/^\n/, "").split("\x1f");
      return { sha, subject, author, date };
    });
}

/**
 * Files changed between two trees (`git diff <args>`): status and paths from --name-status, line
 * counts from --numstat, both with renames found.
 */
export async function changedFiles(git: Git, range: string[]): Promise<FileChange[]> {
  const names = await gitOut(git, ["diff", "-z", "--name-status", "--find-renames", ...range], "listing changed files");
  const counts = await gitOut(git, ["diff", "-z", "--numstat", "--find-renames", ...range], "counting changed lines");
  const byPath = parseNumstat(counts);
  return parseNameStatus(names).map((file) => {
    const count = byPath.get(file.path);
    return { ...file, added: count?.added ?? null, removed: count?.removed ?? null, binary: count ? count.added === null : false };
  });
}

export function parseNameStatus(text: string): Array<Pick<FileChange, "path" | "oldPath" | "status">> {
  const parts = text.split("\0");
  const files: Array<Pick<FileChange, "path" | "oldPath" | "status">> = [];
  for (let i = 0; i < parts.length; ) {
    const code = parts[i++];
    if (!code) continue;
    const status = LETTERS[code[0] as string] ?? "modified";
    if (code[0] === "R" || code[0] === "C") {
      const oldPath = parts[i++] ?? "";
      files.push({ path: parts[i++] ?? "", oldPath, status });
    } else {
      files.push({ path: parts[i++] ?? "", oldPath: null, status });
    }
  }
  return files;
}

/** How many files a range changes and by how many lines (binary files count as changed, with no lines): one git command. */
export async function lineCounts(git: Git, range: string[]): Promise<{ files: number; added: number; removed: number }> {
  const counts = parseNumstat(await gitOut(git, ["diff", "-z", "--numstat", "--find-renames", ...range], "counting changed lines"));
  let added = 0;
  let removed = 0;
  for (const count of counts.values()) {
    added += count.added ?? 0;
    removed += count.removed ?? 0;
  }
  return { files: counts.size, added, removed };
}

/** `added\tremoved\tpath\0`, or for a rename `added\tremoved\t\0old\0new\0`; `-` counts for a binary file. */
export function parseNumstat(text: string): Map<string, { added: number | null; removed: number | null }> {
  const parts = text.split("\0");
  const counts = new Map<string, { added: number | null; removed: number | null }>();
  for (let i = 0; i < parts.length; ) {
    const head = parts[i++];
    if (!head) continue;
    const [added = "", removed = "", path = ""] = head.split("\t");
    const count = { added: added === "-" ? null : Number(added), removed: removed === "-" ? null : Number(removed) };
    if (path === "") {
      i++; // the old path
      counts.set(parts[i++] ?? "", count);
    } else {
      counts.set(path, count);
    }
  }
  return counts;
}

/** `git status` of a worktree, entry by entry: its two status letters and its path (a rename's new one). */
export async function statusEntries(git: Git, untracked: "all" | "no"): Promise<Array<{ xy: string; path: string }>> {
  const status = await gitOut(git, ["status", "-z", "--porcelain=v1", `--untracked-files=${untracked}`], "reading the worktree's status");
  const parts = status.split("\0");
  const entries: Array<{ xy: string; path: string }> = [];
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i];
    if (!entry) continue;
    entries.push({ xy: entry.slice(0, 2), path: entry.slice(3) });
    if (entry[0] === "R" || entry[0] === "C") i++; // the rename's source follows
  }
  return entries;
}

/** What a worktree holds that no commit does, by path only (one git command, no file read): what a merge or a removal must know. */
export async function uncommittedPaths(git: Git): Promise<string[]> {
  return (await statusEntries(git, "all")).map((e) => e.path);
}

/** The worktree's changes against its HEAD: tracked ones with their counts, untracked files counted line by line. */
export async function uncommittedFiles(git: Git, worktree: string): Promise<FileChange[]> {
  const tracked = await changedFiles(git, ["HEAD"]);
  const untracked: FileChange[] = [];
  const conflicted = new Set<string>();
  const budget = { ...COUNT_BUDGET };
  for (const { xy, path } of await statusEntries(git, "all")) {
    if (xy === "??") untracked.push({ path, oldPath: null, status: "untracked", ...countLines(join(worktree, path), budget) });
    else if (xy.includes("U") || xy === "AA" || xy === "DD") conflicted.add(path);
  }
  const files = tracked.map((f) => (conflicted.has(f.path) ? { ...f, status: "conflicted" as const } : f));
  return [...files, ...untracked];
}

/** Lines of an untracked file (all of it is added); a file with a NUL byte is binary. Links are not followed. */
function countLines(
  path: string,
  budget: { files: number; bytes: number },
): { added: number | null; removed: number | null; binary: boolean } {
  try {
    const stat = lstatSync(path);
    if (!stat.isFile() || stat.size > MAX_COUNTED_BYTES)
      return { added: null, removed: null, binary: !stat.isSymbolicLink() && stat.isFile() };
    if (budget.files <= 0 || budget.bytes < stat.size) return { added: null, removed: null, binary: false };
    budget.files--;
    budget.bytes -= stat.size;
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const bytes = Buffer.alloc(stat.size);
    try {
      readSync(fd, bytes, 0, stat.size, 0);
    } finally {
      closeSync(fd);
    }
    if (bytes.includes(0)) return { added: null, removed: null, binary: true };
    let lines = 0;
    for (const b of bytes) if (b === 10) lines++;
    if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) lines++;
    return { added: lines, removed: 0, binary: false };
  } catch {
    return { added: null, removed: null, binary: false };
  }
}
