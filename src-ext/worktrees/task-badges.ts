import type { Config } from "../config.ts";
import { DispatchError } from "../errors.ts";
import type { Base } from "../git/base.ts";
import { gitAt, gitOut } from "../git/git.ts";
import { lineCounts, refOf, uncommittedPaths } from "../git/review.ts";
import type { ChangesBadge } from "../protocol/worktree.ts";
import { branchFor } from "../runs/run-launch.ts";
import type { Task } from "../tasks/task.ts";
import { readSweep, type Sweep, sweepKey } from "./badge-sweep.ts";

/** A task's committed lines as last measured in a sweep, and what they were measured against (badge-sweep.ts `sweepKey`). */
type Committed = { key: string; base: Base; lines: { files: number; added: number; removed: number } };

/**
 * The board's changes badges, measured by git so /tasks never runs it: each task's lines against
 * its base and its uncommitted files. `find` locates a task's branch, base and worktree the full
 * way (task-worktrees.ts).
 */
export class TaskBadges {
  /** The committed side of each task's badge, for sweeps (see `badge`). */
  private readonly committed = new Map<string, Committed>();

  constructor(
    private readonly config: Config,
    private readonly find: (task: Task) => Promise<{ branch: string; base: Base; path: string | null }>,
  ) {}

  /** What a sweep knows of every task at once, in three git calls (badge-sweep.ts). */
  sweep(): Promise<Sweep> {
    return readSweep(this.config.repo);
  }

  /** The tasks (of `ids`) whose branch the sweep found. */
  withBranches(ids: string[], sweep: Sweep): string[] {
    return ids.filter((id) => sweep.commits.has(`refs/heads/${branchFor(this.config, id)}`));
  }

  /**
   * For the board: the branch's lines against the merge base, and how many files are uncommitted;
   * null without a branch. Measured in full, six git commands: finding the branch, its worktree
   * and its base, the merge base, the line counts, the status (three in a sweep, which read the
   * first three for every task at once). In a sweep, a task whose branch, base, recorded base
   * and worktree are all as they were when last measured costs one: its status (a board that
   * opens measures every task: 200 tasks with worktrees were 1,200 git processes, now 203). A
   * sweep measures against the commits it read, so what it keeps is what it measured.
   */
  async badge(task: Task, sweep?: Sweep): Promise<ChangesBadge | null> {
    const branch = branchFor(this.config, task.id);
    const known = this.committed.get(task.id);
    if (sweep && known && known.key === sweepKey(sweep, branch, known.base)) {
      const path = sweep.worktrees.get(branch) ?? null;
      const uncommitted =
        path === null
          ? 0
          : await uncommittedPaths(gitAt(path)).then(
              (p) => p.length,
              () => null,
            );
      // A worktree that cannot say (removed by hand meanwhile): measured in full below.
      if (uncommitted !== null) return { ...known.lines, uncommitted };
    }
    this.committed.delete(task.id);
    const f = await this.locate(task, sweep);
    if (!f) return null;
    const repo = gitAt(this.config.repo);
    const tip = sweep?.commits.get(`refs/heads/${f.branch}`);
    const baseTip = f.base.branch === null ? f.base.commit : sweep?.commits.get(`refs/heads/${f.base.branch}`);
    // In a sweep, the commits it read (a commit made meanwhile is the next sweep's); otherwise the refs as they are now.
    const [from, to] = tip && baseTip ? [baseTip, tip] : [refOf(f.base), `refs/heads/${f.branch}`];
    const mergeBase = (await gitOut(repo, ["merge-base", from, to], `finding where ${f.branch} and its base meet`)).trim();
    const [lines, uncommitted] = await Promise.all([
      lineCounts(repo, [mergeBase, to]),
      f.path ? uncommittedPaths(gitAt(f.path)) : Promise.resolve([]),
    ]);
    const key = sweep && tip && baseTip ? sweepKey(sweep, f.branch, f.base, f.base) : undefined;
    if (key) this.committed.set(task.id, { key, base: f.base, lines });
    return { ...lines, uncommitted: uncommitted.length };
  }

  /**
   * A task's branch, base and worktree: from the sweep when it read them all (no git command),
   * else found (three: the branch, the worktrees, the base, which is recorded if it was not).
   * Null: no branch.
   */
  private async locate(task: Task, sweep?: Sweep): Promise<{ branch: string; base: Base; path: string | null } | null> {
    const branch = branchFor(this.config, task.id);
    const base = sweep?.bases.get(branch);
    if (sweep?.commits.has(`refs/heads/${branch}`) && base) return { branch, base, path: sweep.worktrees.get(branch) ?? null };
    try {
      return await this.find(task);
    } catch (error) {
      if (error instanceof DispatchError && error.code === "not_found") return null;
      throw error;
    }
  }
}
