import { checkId } from "../check-names.ts";
import type { Bus } from "../events.ts";
import type { Strategy } from "../git/land.ts";
import type { ChangesBadge, CommitResult, MergeResult, PullRequestResult, RemoveResult, WorktreeReview } from "../protocol/worktree.ts";
import type { Task } from "../tasks/task.ts";
import type { Sweep } from "./badge-sweep.ts";
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
  /** A measure asked for while one ran, to run once it ends. */
  private readonly again = new Map<string, Promise<void>>();
  /** Orders sweeps and measures: when each task's newest measure outside a sweep began. */
  private clock = 0;
  private readonly freshFrom = new Map<string, number>();

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
   * Measures again, one measure per task at a time. `sweep`: what a sweep read for every task
   * (and when it began), so a task that did not change costs one git command. A sweep's call
   * during a measure shares it; any other (a commit, a merge just made) measures once more after
   * it, since the running one may have looked before the change.
   */
  refresh(id: string, sweep?: { facts: Sweep; began: number }): Promise<void> {
    const running = this.measuring.get(id);
    if (running) {
      if (sweep) return running;
      let again = this.again.get(id);
      if (!again) {
        again = running.then(() => {
          this.again.delete(id);
          return this.refresh(id);
        });
        this.again.set(id, again);
      }
      return again;
    }
    const job = (async () => {
      if (!sweep) this.freshFrom.set(id, ++this.clock);
      let next: ChangesBadge | null;
      try {
        next = await this.worktrees.badges.badge(this.task(id), sweep?.facts);
      } catch {
        return; // the task went, or git failed: the last badge stays
      }
      // A sweep reads every branch first and measures against that: a measure begun since (a
      // commit just made) knows better.
      if (sweep && (this.freshFrom.get(id) ?? 0) > sweep.began) return;
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
      const began = ++this.clock;
      const facts = await this.worktrees.badges.sweep().catch(() => null);
      if (!facts) return;
      for (const id of this.worktrees.badges.withBranches(ids, facts)) await this.refresh(id, { facts, began });
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
