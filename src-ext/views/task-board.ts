import type { Config } from "../config.ts";
import type { Bus } from "../events.ts";
import type { ModeStore } from "../modes/mode-store.ts";
import type { TaskDetail, TasksResult } from "../protocol/api.ts";
import type { RunDb } from "../runs/run-db.ts";
import { branchFor, worktreeFor } from "../runs/run-launch.ts";
import type { RunLifecycle } from "../runs/run-lifecycle.ts";
import type { Task } from "../tasks/task.ts";
import type { TaskStore } from "../tasks/task-store.ts";
import type { TaskWork } from "../worktrees/task-work.ts";
import { badgesByTask, summary } from "./task-views.ts";

/**
 * The board's answers: every task with its runs' badges, its cost and its work (GET /tasks), and
 * one task in full (GET /tasks/{id}). Costs come from one query, kept until a run ends; the work
 * badges are TaskWork's, measured on events; nothing here runs git.
 */
export class TaskBoard {
  private costCache: Map<string, number> | null = null;

  constructor(
    private readonly deps: {
      config: Config;
      tasks: () => TaskStore;
      task: (id: string) => Task;
      modes: ModeStore;
      runs: RunLifecycle;
      db: RunDb;
      work: TaskWork;
    },
    bus: Bus,
  ) {
    bus.on("run.ended", () => {
      this.costCache = null;
    });
  }

  private costs(): Map<string, number> {
    this.costCache ??= this.deps.db.costs();
    return this.costCache;
  }

  list(): TasksResult {
    const { tasks, modes, runs, work } = this.deps;
    const badges = badgesByTask(runs.latestAll());
    const costs = this.costs();
    const all = tasks()
      .all()
      .map((t) => summary(t, badges.get(t.id) ?? {}, costs.get(t.id) ?? null, work.badge(t.id)));
    return { tasks: all, problems: [...tasks().problems(), ...modes.problems()] };
  }

  detail(id: string): TaskDetail {
    const { config, runs, work } = this.deps;
    const task = this.deps.task(id);
    return {
      ...summary(task, badgesByTask(runs.latestAll()).get(id) ?? {}, this.costs().get(id) ?? null, work.badge(id)),
      body: task.body,
      frontMatter: task.frontMatter,
      worktree: worktreeFor(config, id),
      branch: branchFor(config, id),
    };
  }
}
