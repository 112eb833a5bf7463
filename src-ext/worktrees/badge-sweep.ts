import { type Base, recordedBases } from "../git/base.ts";
import { gitAt, gitOut } from "../git/git.ts";
import { listWorktrees } from "../git/worktree.ts";

/**
 * What a sweep of the board's badges (a board that opens, the server starting) reads once for
 * every task, in three git calls, and what a task's kept lines were measured against: a task
 * whose key is unchanged costs one git command (its status) instead of six (task-worktrees.ts
 * `badge`).
 */
export type Sweep = {
  /** `refs/heads/…` → its commit. */
  commits: Map<string, string>;
  /** A branch → the worktree it is checked out in (the main one left out). */
  worktrees: Map<string, string>;
  /** A branch → the base recorded for it in git config (git/base.ts). */
  bases: Map<string, Base>;
};

export async function readSweep(repoPath: string): Promise<Sweep> {
  const repo = gitAt(repoPath);
  const [refs, list, bases] = await Promise.all([
    gitOut(repo, ["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/"], "listing the branches"),
    listWorktrees(repoPath),
    recordedBases(repo),
  ]);
  const commits = new Map<string, string>();
  for (const line of refs.split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0) commits.set(line.slice(space + 1), line.slice(0, space));
  }
  // The paths come from one listing: compared as given.
  const main = list[0]?.path;
  const worktrees = new Map(list.flatMap((w) => (w.branch && w.path !== main ? [[w.branch, w.path] as const] : [])));
  return { commits, worktrees, bases };
}

/**
 * What a task's committed lines depend on, as a sweep sees it: the branch's commit, its base's
 * (the base branch's commit, or the fixed commit of a detached base), the base recorded for the
 * branch (`recorded`: as the measure found it, else as the sweep read it), and the worktree it is
 * checked out in. Undefined: the branch or its base is not a local branch the sweep read.
 */
export function sweepKey(sweep: Sweep, branch: string, base: Base, recorded?: Base): string | undefined {
  const tip = sweep.commits.get(`refs/heads/${branch}`);
  const baseTip = base.branch === null ? base.commit : sweep.commits.get(`refs/heads/${base.branch}`);
  if (!tip || !baseTip) return undefined;
  return JSON.stringify([tip, baseTip, recorded ?? sweep.bases.get(branch) ?? null, sweep.worktrees.get(branch) ?? null]);
}
