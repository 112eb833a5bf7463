import type { RunInfo, TaskSummary } from "../protocol/api.ts";
import { lastRunId } from "../protocol/describe.ts";
import type { TrayItem } from "./protocol.ts";

/** Neutralino allows at most 50 items and no submenus. */
const MAX_ITEMS = 50;
const RECENT_TASKS = 5;

export type TrayAction =
  | { kind: "open" }
  | { kind: "quit" }
  | { kind: "run"; mode: string; id: string }
  | { kind: "attach"; mode: string; id: string }
  | { kind: "stop"; mode: string; id: string };

/** Item ids carry the action: `run:interactive:TASK-42`; names are validated, so `:` is safe. */
export function parseTrayId(id: string): TrayAction | null {
  if (id === "open" || id === "quit") return { kind: id };
  const [kind, mode, task] = id.split(":");
  if ((kind === "run" || kind === "attach" || kind === "stop") && mode && task) return { kind, mode, id: task };
  return null;
}

/** Tasks with the most recent runs first, then the rest in list order. */
function recentTasks(tasks: TaskSummary[]): TaskSummary[] {
  return [...tasks].sort((a, b) => lastRunId(b).localeCompare(lastRunId(a))).slice(0, RECENT_TASKS);
}

/**
 * The tray menu (DESIGN §10): Open Dispatch · "Run interactive on TASK-42" per recent task ·
 * Attach and Stop per live run · Quit. Pure, so it is tested without a runtime.
 */
export function trayMenu(tasks: TaskSummary[], live: RunInfo[], runMode = "interactive"): TrayItem[] {
  const items: TrayItem[] = [
    { id: "open", text: "Open Dispatch" },
    { id: "sep-1", text: "-" },
  ];
  const recent = recentTasks(tasks);
  for (const task of recent) {
    const running = task.runs[runMode]?.state === "running";
    items.push({ id: `run:${runMode}:${task.id}`, text: `Run ${runMode} on ${task.id}`, isDisabled: running });
  }
  if (recent.length === 0) items.push({ id: "no-tasks", text: "No tasks yet", isDisabled: true });
  if (live.length > 0) items.push({ id: "sep-2", text: "-" });
  for (const run of [...live].sort((a, b) => a.session.localeCompare(b.session))) {
    if (!run.headless) items.push({ id: `attach:${run.mode}:${run.taskId}`, text: `Attach ${run.session}` });
    items.push({ id: `stop:${run.mode}:${run.taskId}`, text: `Stop ${run.session}` });
  }
  const quit: TrayItem[] = [
    { id: "sep-3", text: "-" },
    { id: "quit", text: "Quit" },
  ];
  return [...items.slice(0, MAX_ITEMS - quit.length), ...quit];
}
