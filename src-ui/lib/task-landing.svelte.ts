import type { CommitResult, MergeResult, PullRequestResult, RemoveResult } from "../../src-ext/protocol/worktree.ts";
import { type Api, ApiError } from "./api.svelte.ts";

export type LandingAction = "commit" | "merge" | "remove" | "pull-request";
export type Strategy = MergeResult["strategy"];

/** Why the server said no, with what its answer lists: conflicted or dirty files, the work a removal would lose. */
export type Refusal = {
  action: LandingAction;
  code: string;
  message: string;
  files: string[];
  uncommitted: string[];
  unmerged: number;
};

/** What the last action did, shown until the next one (a removal's backup ref must stay readable). */
export type Notice =
  | { action: "commit"; result: CommitResult }
  | { action: "merge"; result: MergeResult }
  | { action: "pull-request"; result: PullRequestResult }
  | { action: "remove"; result: RemoveResult; deleteBranch: boolean };

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

function refusalOf(action: LandingAction, error: unknown): Refusal {
  const details = error instanceof ApiError ? error.details : {};
  return {
    action,
    code: error instanceof ApiError ? error.code : "error",
    message: error instanceof Error ? error.message : String(error),
    files: strings(details.files),
    uncommitted: strings(details.uncommitted),
    unmerged: typeof details.unmerged === "number" ? details.unmerged : 0,
  };
}

/**
 * Landing a task's work (DESIGN §13): commit what is left, merge the branch into its base, remove
 * the worktree. One action at a time; a refusal keeps the server's words and the lists it gave,
 * and every answer, yes or no, reads the work again (`after`).
 */
export class TaskLanding {
  busy = $state<LandingAction | null>(null);
  refusal = $state.raw<Refusal | null>(null);
  notice = $state.raw<Notice | null>(null);

  constructor(
    private readonly api: Api,
    readonly id: string,
    private readonly after: () => Promise<void>,
  ) {}

  /** A dialog opens afresh: the last refusal is not its business. */
  clear(): void {
    this.refusal = null;
  }

  dismiss(): void {
    this.notice = null;
  }

  commit(message: string): Promise<boolean> {
    return this.act("commit", async () => ({ action: "commit", result: await this.api.commitAll(this.id, message) }));
  }

  merge(strategy: Strategy): Promise<boolean> {
    return this.act("merge", async () => ({ action: "merge", result: await this.api.merge(this.id, strategy) }));
  }

  pullRequest(): Promise<boolean> {
    return this.act("pull-request", async () => ({ action: "pull-request", result: await this.api.pullRequest(this.id) }));
  }

  /** Without `force` the server refuses to lose work (and says what); with it, it saves everything to a backup ref first. */
  remove(options: { force: boolean; deleteBranch: boolean }): Promise<boolean> {
    return this.act("remove", async () => ({
      action: "remove",
      result: await this.api.removeWorktree(this.id, options),
      deleteBranch: options.deleteBranch,
    }));
  }

  private async act(action: LandingAction, call: () => Promise<Notice>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = action;
    this.refusal = null;
    try {
      this.notice = await call();
      return true;
    } catch (error) {
      this.refusal = refusalOf(action, error);
      return false;
    } finally {
      this.busy = null;
      void this.after();
    }
  }
}
