import { checkId } from "../check-names.ts";
import type { Bus } from "../events.ts";
import type { Strategy } from "../git/land.ts";
import type { ChangesBadge, CommitResult, MergeResult, PullRequestResult, RemoveResult, WorktreeReview } from "../protocol/worktree.ts";
import type { Task } from "../tasks/task.ts";
import type { TaskWorktrees } from "./task-worktrees.ts";

/**
 * The engine's face for a task's work (DESIGN §13): validates the id, calls the worktree's owner,
 * and keeps each task's changes badge for the board, so /tasks never runs git. A badge is
 * measured again when something may have changed it (a run ended or waits for the user, a merge,
 * a commit, a removal, a review) and `worktree.changed` says so when it did.
 */
export class TaskWork {
  private readonly badges = new Map<string, ChangesBadge | null>();
  private readonly measuring = new Map<string, Promise<void>>();

  constructor(
    private readonly task: (id: string) => Task,
    private readonly worktrees: TaskWorktrees,
    private readonly bus: Bus,
  ) {}

  /** The last measured badge (undefined: not measured yet). */
  badge(id: string): ChangesBadge | null {
    return this.badges.get(id) ?? null;
  }

  /**
   * Measures again (one measure per task at a time; a call during one waits for it). `commits`:
   * in a sweep, every branch's commit, so an unchanged branch costs one git command.
   */
  refresh(id: string, commits?: Map<string, string>): Promise<void> {
    const running = this.measuring.get(id);
    if (running) return running;
    const job = (async () => {
      let next: ChangesBadge | null;
      try {
        next = await this.worktrees.badge(this.task(id), commits);
      } catch {
        return; // the task went, or git failed: the last badge stays
      }
      this.note(id, next);
    })().finally(() => this.measuring.delete(id));
    this.measuring.set(id, job);
    return job;
  }

  private sweeping: Promise<void> | null = null;

  /**
   * Measures every task that has a branch, one after another: a server starting (the board's
   * first badges), and a board that opens (work done by hand in a worktree sends no event). One
   * sweep at a time; a call during one shares it.
   */
  refreshAll(ids: string[]): Promise<void> {
    this.sweeping ??= (async () => {
      const commits = await this.worktrees.branchCommits().catch(() => null);
      if (!commits) return;
      for (const id of this.worktrees.withBranches(ids, commits)) await this.refresh(id, commits);
    })().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private note(id: string, next: ChangesBadge | null): void {
    const before = this.badges.get(id);
    this.badges.set(id, next);
    if (JSON.stringify(before ?? null) !== JSON.stringify(next) || before === undefined) {
      this.bus.emit({ type: "worktree.changed", taskId: id, changes: next });
    }
  }

  async review(id: string): Promise<WorktreeReview> {
    checkId(id);
    const review = await this.worktrees.review(this.task(id));
    const sum = (key: "added" | "removed") => review.files.reduce((n, f) => n + (f[key] ?? 0), 0);
    this.note(id, { files: review.files.length, added: sum("added"), removed: sum("removed"), uncommitted: review.uncommitted.length });
    return review;
  }

  diff(id: string, options: { scope: "committed" | "uncommitted"; file: string | null }): Promise<string> {
    checkId(id);
    return this.worktrees.diff(this.task(id), options);
  }

  async merge(id: string, strategy: Strategy): Promise<MergeResult> {
    checkId(id);
    try {
      return await this.worktrees.merge(this.task(id), strategy);
    } finally {
      await this.refresh(id);
    }
  }

  pullRequest(id: string): Promise<PullRequestResult> {
    checkId(id);
    return this.worktrees.pullRequest(this.task(id));
  }

  async commit(id: string, message: string): Promise<CommitResult> {
    checkId(id);
    try {
      return await this.worktrees.commitAll(this.task(id), message);
    } finally {
      await this.refresh(id);
    }
  }

  async remove(id: string, options: { force: boolean; deleteBranch: boolean }): Promise<RemoveResult> {
    checkId(id);
    try {
      return await this.worktrees.remove(this.task(id), options);
    } finally {
      await this.refresh(id);
    }
  }
}
