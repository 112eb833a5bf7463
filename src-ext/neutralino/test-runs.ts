import type { RunInfo, TaskSummary } from "../protocol/api.ts";

/** Tasks and runs as the engine lists them, for the tray's and the notices' unit tests. */
export const task = (id: string, runs: TaskSummary["runs"] = {}): TaskSummary => ({
  id,
  title: id,
  status: null,
  priority: null,
  phase: null,
  type: null,
  costUsd: null,
  tags: [],
  path: `${id}.md`,
  runs,
});
export const run = (mode: string, taskId: string, headless: boolean, extra: Partial<RunInfo> = {}): RunInfo => ({
  runId: `r-${mode}-${taskId}`,
  mode,
  taskId,
  session: `claude-${mode}-${taskId}`,
  headless,
  state: "running",
  exitCode: null,
  reason: null,
  pid: 1,
  startedAt: "",
  endedAt: null,
  origin: "ui",
  extras: [],
  worktree: null,
  branch: null,
  activity: null,
  pending: null,
  sessionId: null,
  resumedFrom: null,
  agent: "claude",
  result: null,
  ...extra,
});
