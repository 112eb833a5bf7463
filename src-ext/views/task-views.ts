import type { ModeBadge, RunInfo, StatusResult, TaskSummary } from "../protocol/api.ts";
import { badgeOf } from "../protocol/describe.ts";
import type { ChangesBadge } from "../protocol/worktree.ts";
import { type RunRecord, toRunInfo } from "../runs/run-record.ts";
import { isLive } from "../runs/run-state.ts";
import type { Task } from "../tasks/task.ts";

/** What GET /status/{mode}/{id} answers for the newest run of {mode, task} (none: idle). */
export function statusOf(run: RunRecord | undefined, headless: boolean, attached: boolean | undefined): StatusResult {
  if (!run) return { state: "idle", running: false, headless };
  const info: RunInfo = toRunInfo(run);
  return {
    state: info.state,
    running: isLive(run.phase),
    headless: info.headless,
    ...(info.exitCode !== null && { exitCode: info.exitCode }),
    ...(info.reason !== null && { reason: info.reason }),
    startedAt: info.startedAt,
    ...(info.endedAt !== null && { endedAt: info.endedAt }),
    session: info.session,
    runId: info.runId,
    ...(attached !== undefined && { attached }),
    ...(info.activity !== null && info.state === "running" && { activity: info.activity }),
    ...(info.pending !== null && { pending: info.pending }),
    ...(info.sessionId !== null && { sessionId: info.sessionId }),
  };
}

/** Each task's badges: the newest run of each of its modes. */
export function badgesByTask(latest: RunRecord[]): Map<string, Record<string, ModeBadge>> {
  const byTask = new Map<string, Record<string, ModeBadge>>();
  for (const run of latest) {
    const badges = byTask.get(run.taskId) ?? {};
    badges[run.mode] = badgeOf(toRunInfo(run));
    byTask.set(run.taskId, badges);
  }
  return byTask;
}

/** A task as the board lists it. */
export function summary(
  t: Task,
  runs: Record<string, ModeBadge>,
  costUsd: number | null,
  changes: ChangesBadge | null = null,
): TaskSummary {
  return {
    id: t.id,
    title: t.title,
    status: t.status,
    priority: t.priority,
    phase: t.phase,
    type: t.type,
    tags: t.tags,
    path: t.path,
    runs,
    costUsd,
    changes,
  };
}
