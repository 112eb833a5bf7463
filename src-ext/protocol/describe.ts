import type { ModeBadge, RunInfo, TaskSummary } from "./api.ts";

/** How a run ended, in words, for notifications (desktop and browser alike) and the CLI. */
export function runOutcome(run: Pick<RunInfo, "state" | "exitCode">): string {
  if (run.state === "finished") return "finished";
  if (run.state === "failed") return run.exitCode === null ? "failed to start" : `failed with exit code ${run.exitCode}`;
  return run.state;
}

/** A task's badge for one mode: built here only, for the API, the board and the task page. */
export function badgeOf(run: Pick<RunInfo, "state" | "exitCode" | "runId" | "activity">): ModeBadge {
  return { state: run.state, exitCode: run.exitCode, runId: run.runId, activity: run.state === "running" ? run.activity : null };
}

/** Activities that wait for the user: counted in the window title and the tray. */
export function waitsForUser(activity: ModeBadge["activity"]): boolean {
  return activity === "needs-approval" || activity === "needs-input" || activity === "error";
}

/** A cost in dollars, as people read it: a turn costs cents, so under a dollar shows four places. */
export function dollars(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return "";
  return cost < 1 ? `$${cost.toFixed(4)}` : `$${cost.toFixed(2)}`;
}

/** A task's newest run id (run ids sort by start time), "" when it never ran. */
export function lastRunId(task: Pick<TaskSummary, "runs">): string {
  return Object.values(task.runs).reduce((a, b) => (b.runId > a ? b.runId : a), "");
}

/**
 * Text from a repository as it can be shown on a terminal or a page: control characters (an escape
 * sequence could erase or rewrite a line) and bidirectional overrides (which reorder what is read)
 * made visible as `\u{…}`, and bounded.
 */
export function visible(text: string, max = 400): string {
  const shown = text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}

/** `visible` for text whose line breaks mean something (a command the user is asked to allow). */
export function visibleLines(text: string, max = 4000): string {
  const shown = text
    .split(/\r?\n/)
    .map((line) => visible(line, max))
    .join("\n");
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}

/** Why a run needs the user now, in words (for notifications, the tray and the title), or null. */
export function needsUser(run: Pick<RunInfo, "activity" | "pending">): string | null {
  switch (run.activity) {
    case "needs-approval":
      return run.pending ? `wants to run ${run.pending.tool}` : "needs your approval";
    case "needs-input":
      return "asks a question";
    case "error":
      return "stopped on an error";
    default:
      return null;
  }
}
