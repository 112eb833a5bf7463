import type { ModeBadge, RunInfo, TaskSummary } from "./api.ts";

/** How a run ended, in words, for notifications (desktop and browser alike) and the CLI. */
export function runOutcome(run: Pick<RunInfo, "state" | "exitCode">): string {
  if (run.state === "finished") return "finished";
  if (run.state === "failed") return run.exitCode === null ? "failed to start" : `failed with exit code ${run.exitCode}`;
  return run.state;
}

/** A task's badge for one mode: built here only, for the API, the board and the task page. */
export function badgeOf(run: Pick<RunInfo, "state" | "exitCode" | "runId">): ModeBadge {
  return { state: run.state, exitCode: run.exitCode, runId: run.runId };
}

/** A task's newest run id (run ids sort by start time), "" when it never ran. */
export function lastRunId(task: Pick<TaskSummary, "runs">): string {
  return Object.values(task.runs).reduce((a, b) => (b.runId > a ? b.runId : a), "");
}
