import type { RunInfo, TaskDetail } from "../../src-ext/protocol/api.ts";
import { badgeOf } from "../../src-ext/protocol/describe.ts";
import type { ChangesBadge } from "../../src-ext/protocol/worktree.ts";
import type { Api } from "./api.svelte.ts";
import { TaskChanges } from "./task-changes.svelte.ts";

export type TaskTab = "overview" | "changes";

/** One task's detail and run history; refreshed when one of its runs changes. Its work is read when the Changes tab opens. */
export class TaskPage {
  detail = $state.raw<TaskDetail | null>(null);
  runs = $state.raw<RunInfo[]>([]);
  error = $state<string | null>(null);
  notFound = $state(false);
  tab = $state<TaskTab>("overview");
  changes = $state.raw<TaskChanges | null>(null);

  constructor(
    private readonly api: Api,
    readonly id: string,
  ) {}

  async load(): Promise<void> {
    try {
      const [detail, runs] = await Promise.all([this.api.task(this.id), this.api.runs(this.id)]);
      this.detail = detail;
      this.runs = runs;
      this.error = null;
      this.notFound = false;
    } catch (error) {
      this.notFound = (error as { status?: number }).status === 404;
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Applies a run event in place: the row updates at once, the history keeps its order. */
  applyRun(run: RunInfo): void {
    if (run.taskId !== this.id) return;
    const i = this.runs.findIndex((r) => r.runId === run.runId);
    this.runs = i >= 0 ? this.runs.with(i, run) : [run, ...this.runs];
    if (this.detail) {
      const current = this.detail.runs[run.mode];
      if (!current || current.runId <= run.runId) {
        this.detail = {
          ...this.detail,
          runs: { ...this.detail.runs, [run.mode]: badgeOf(run) },
        };
      }
    }
  }

  show(tab: TaskTab): void {
    this.tab = tab;
    if (tab !== "changes") return;
    this.changes ??= new TaskChanges(this.api, this.id);
    void this.changes.load();
  }

  /** worktree.changed: the header's badge moves at once; an open Changes tab reads the work again. */
  applyChanges(taskId: string, changes: ChangesBadge | null): void {
    if (taskId !== this.id) return;
    if (this.detail) this.detail = { ...this.detail, changes };
    if (this.tab === "changes") this.changes?.changed(changes);
  }

  /** Back from a lost connection: anything may have changed. */
  resync(): void {
    void this.load();
    if (this.tab === "changes") void this.changes?.load();
  }

  latest(mode: string): RunInfo | undefined {
    return this.runs.find((r) => r.mode === mode);
  }
}
