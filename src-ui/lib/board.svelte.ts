import type { ModeInfo, RunInfo, TaskProblem, TaskSummary, TrustStatus } from "../../src-ext/protocol/api.ts";
import { badgeOf, lastRunId } from "../../src-ext/protocol/describe.ts";
import type { ChangesBadge } from "../../src-ext/protocol/worktree.ts";
import type { Api } from "./api.svelte.ts";

export type SortKey = "id" | "title" | "status" | "priority" | "phase" | "activity";
export type Filter = { text: string; status: string; priority: string };
type Sort = { key: SortKey; dir: 1 | -1 };

/** Natural order (TASK-7 before TASK-42), one collator for every sort: `localeCompare` with options makes one per call. */
const NATURAL = new Intl.Collator(undefined, { numeric: true });
const FILTER_KEY = "dispatch.filter";
const SORT_KEY = "dispatch.sort";

function saved<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? { ...fallback, ...JSON.parse(raw) } : fallback;
  } catch {
    return fallback;
  }
}

/** The task list: tasks and problems from /tasks, modes from /modes, kept live by run events. */
export class Board {
  tasks = $state.raw<TaskSummary[]>([]);
  problems = $state.raw<TaskProblem[]>([]);
  modes = $state.raw<ModeInfo[]>([]);
  /** What the repository would run of its own, and whether the user trusts it. */
  trust = $state.raw<TrustStatus | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);
  filter = $state<Filter>(saved(FILTER_KEY, { text: "", status: "", priority: "" }));
  sort = $state<Sort>(saved(SORT_KEY, { key: "id", dir: 1 }));
  /** The keyboard selection, kept while the user visits a task and comes back. */
  selectedId = $state<string | null>(null);

  constructor(private readonly api: Api) {}

  statuses = $derived([...new Set(this.tasks.map((t) => t.status).filter((s): s is string => !!s))].sort());
  priorities = $derived([...new Set(this.tasks.map((t) => t.priority).filter((s): s is string => !!s))].sort());

  visible = $derived.by(() => {
    const text = this.filter.text.trim().toLowerCase();
    const { status, priority } = this.filter;
    const { key, dir } = this.sort;
    const rows = this.tasks.filter(
      (t) =>
        (!status || t.status === status) &&
        (!priority || t.priority === priority) &&
        (!text || `${t.id} ${t.title} ${t.tags.join(" ")} ${t.phase ?? ""}`.toLowerCase().includes(text)),
    );
    const value = (t: TaskSummary) => (key === "activity" ? lastRunId(t) : (t[key] ?? ""));
    return rows.sort((a, b) => dir * NATURAL.compare(value(a), value(b)));
  });

  async load(): Promise<void> {
    try {
      // Modes follow trust: both are asked again with the tasks.
      const [tasks, modes, trust] = await Promise.all([this.api.tasks(), this.api.modes(), this.api.trust()]);
      this.tasks = tasks.tasks;
      this.problems = tasks.problems;
      this.modes = modes;
      this.trust = trust;
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.loaded = true;
    }
  }

  task(id: string): TaskSummary | undefined {
    return this.tasks.find((t) => t.id === id);
  }

  /** A run changed somewhere: move that task's badge without a reload. */
  applyRun(run: RunInfo): void {
    const i = this.tasks.findIndex((t) => t.id === run.taskId);
    if (i < 0) return;
    const task = this.tasks[i] as TaskSummary;
    const current = task.runs[run.mode];
    // An event for an older run must not overwrite the badge of a newer one.
    if (current && current.runId > run.runId) return;
    const next = { ...task, runs: { ...task.runs, [run.mode]: badgeOf(run) } };
    this.tasks = this.tasks.with(i, next);
  }

  /** A task's work changed (worktree.changed): its changes badge moves without a reload. */
  applyChanges(taskId: string, changes: ChangesBadge | null): void {
    const i = this.tasks.findIndex((t) => t.id === taskId);
    const task = this.tasks[i];
    if (task) this.tasks = this.tasks.with(i, { ...task, changes });
  }

  setFilter(patch: Partial<Filter>): void {
    this.filter = { ...this.filter, ...patch };
    localStorage.setItem(FILTER_KEY, JSON.stringify(this.filter));
  }

  sortBy(key: SortKey): void {
    this.sort = { key, dir: this.sort.key === key ? ((this.sort.dir * -1) as 1 | -1) : 1 };
    localStorage.setItem(SORT_KEY, JSON.stringify(this.sort));
  }
}
