import type { RunInfo, StatusResult } from "../protocol/api.ts";
import { visible } from "../protocol/describe.ts";

/** Plain-text tables for people; `--json` is for scripts. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return "";
  // Titles, paths and reasons come from the repository: never raw on the user's terminal.
  rows = rows.map((r) => r.map((c) => visible(c, 200)));
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")).join("\n");
}

export function stateText(state: string, exitCode: number | null | undefined): string {
  return exitCode === null || exitCode === undefined || state === "finished" ? state : `${state} (${exitCode})`;
}

export function describeStatus(mode: string, id: string, s: StatusResult): string {
  const lines = [`${mode} on ${id}: ${stateText(s.state, s.exitCode)}`];
  if (s.session) lines.push(`  ${s.headless ? "job" : "tmux session"}: ${s.session}`);
  if (s.runId) lines.push(`  run: ${s.runId}`);
  if (s.startedAt) lines.push(`  started: ${s.startedAt}`);
  if (s.endedAt) lines.push(`  ended: ${s.endedAt}`);
  if (s.reason) lines.push(`  reason: ${s.reason}`);
  if (s.activity) lines.push(`  activity: ${s.activity}`);
  if (s.pending)
    lines.push(
      `  ${s.pending.kind === "approval" ? `wants to run ${s.pending.tool}` : s.pending.kind}: ${visible(s.pending.summary, 200)}`,
    );
  if (s.sessionId) lines.push(`  session id: ${s.sessionId}`);
  if (s.attached !== undefined) lines.push(`  terminal attached: ${s.attached ? "yes" : "no"}`);
  return lines.join("\n");
}

export function runRows(runs: RunInfo[]): string[][] {
  return [
    ["RUN", "MODE", "TASK", "STATE", "STARTED", "BY"],
    ...runs.map((r) => [r.runId, r.mode, r.taskId, stateText(r.state, r.exitCode), r.startedAt, r.origin]),
  ];
}
