import { DispatchError } from "../errors.ts";
import type { Base } from "./base.ts";
import { type Git, gitOut, lastLine } from "./git.ts";
import { refOf, statusEntries } from "./review.ts";

/**
 * Landing a task branch on its base (DESIGN §13). The main worktree only ever moves forward
 * (`merge --ff-only`) to a commit made beforehand: for merge and squash, `git merge-tree
 * --write-tree` (git ≥ 2.38) computes the result without touching any worktree, so a conflict is
 * found and reported with the main worktree never written to. A rebase happens in the task's own
 * worktree and is aborted there on a conflict.
 */

export type Strategy = "merge" | "squash" | "rebase";

export class MergeConflict extends DispatchError {
  constructor(
    message: string,
    readonly files: string[],
  ) {
    super("merge_conflict", message, { details: { files } });
  }
}

/** Files with changes to tracked content (untracked files do not stop a fast-forward: git checks those itself). */
export async function dirtyFiles(git: Git): Promise<string[]> {
  return (await statusEntries(git, "no")).map((e) => e.path);
}

async function tipOf(git: Git, ref: string): Promise<string> {
  return (await gitOut(git, ["rev-parse", "--verify", `${ref}^{commit}`], `reading ${ref}`)).trim();
}

/** The merge of one commit into another as a tree, or the files that conflict. Touches no worktree. */
export async function mergeTree(git: Git, into: string, from: string): Promise<{ tree: string } | { conflicts: string[] }> {
  const out = await git(["merge-tree", "--write-tree", "--name-only", "--no-messages", into, from]);
  const [tree = "", ...rest] = out.stdout.split("\n");
  if (out.code === 0) return { tree: tree.trim() };
  if (out.code === 1) return { conflicts: [...new Set(rest.map((l) => l.trim()).filter(Boolean))] };
  throw new DispatchError("worktree_failed", `git merge-tree failed: ${lastLine(out.stderr)} (it needs git 2.38 or later)`);
}

/**
 * Lands `branch` on `base` and moves the main worktree (which must have `base` checked out and no
 * tracked changes: the caller checks) forward to it. Returns the base's new tip.
 */
export async function land(options: {
  main: Git;
  task: Git | null;
  base: Base & { branch: string };
  branch: string;
  strategy: Strategy;
  message: string;
}): Promise<string> {
  const { main, base, branch, strategy } = options;
  let target: string;
  if (strategy === "rebase") {
    const task = options.task;
    if (!task) throw new DispatchError("conflict", `a rebase needs ${branch}'s worktree, and it has none now: merge or squash instead`);
    const rebased = await task(["rebase", "--no-autostash", refOf(base)]);
    if (rebased.code !== 0) {
      const conflicted = (await task(["diff", "--name-only", "-z", "--diff-filter=U"])).stdout.split("\0").filter(Boolean);
      await task(["rebase", "--abort"]);
      throw new MergeConflict(
        `rebasing ${branch} onto ${base.branch} stopped on a conflict${conflicted.length ? ` in ${conflicted.join(", ")}` : `: ${lastLine(rebased.stderr)}`}; the rebase was aborted and ${branch} is as it was`,
        conflicted,
      );
    }
    target = await tipOf(main, `refs/heads/${branch}`);
  } else {
    // Both tips read once: a commit made meanwhile (a live agent) is not merged, never half-merged.
    const baseTip = await tipOf(main, refOf(base));
    const branchTip = await tipOf(main, `refs/heads/${branch}`);
    const merged = await mergeTree(main, baseTip, branchTip);
    if ("conflicts" in merged) {
      throw new MergeConflict(
        `${branch} conflicts with ${base.branch} in ${merged.conflicts.join(", ")}: nothing was changed; resolve it on the task branch (merge ${base.branch} into it) and try again`,
        merged.conflicts,
      );
    }
    const parents = strategy === "merge" ? ["-p", baseTip, "-p", branchTip] : ["-p", baseTip];
    target = (await gitOut(main, ["commit-tree", merged.tree, ...parents, "-m", options.message], "making the merge commit")).trim();
  }
  const forward = await main(["merge", "--ff-only", "--quiet", target]);
  if (forward.code !== 0) {
    throw new DispatchError(
      "conflict",
      `moving ${base.branch} forward in the main worktree failed: ${lastLine(forward.stderr)}; nothing was changed there`,
    );
  }
  return target;
}

/** Commits everything in the task's worktree (untracked files too; ignored ones not). */
export async function commitAll(git: Git, message: string): Promise<{ commit: string; files: number }> {
  await gitOut(git, ["add", "--all"], "staging the worktree's changes");
  const staged = (await gitOut(git, ["diff", "--cached", "--name-only", "-z"], "listing staged files")).split("\0").filter(Boolean);
  if (staged.length === 0) throw new DispatchError("conflict", "nothing to commit: the worktree has no changes");
  await gitOut(git, ["commit", "--quiet", "-m", message], "git commit", "conflict");
  return { commit: (await tipOf(git, "HEAD")).trim(), files: staged.length };
}
