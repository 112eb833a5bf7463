import type { RunInfo, TaskSummary } from "../protocol/api.ts";
import { lastRunId, needsUser, visible } from "../protocol/describe.ts";
import type { TrayItem } from "./protocol.ts";

/** Neutralino allows at most 50 items and no submenus. */
const MAX_ITEMS = 50;
const RECENT_TASKS = 5;

export type TrayAction =
  /** Shows the window; `hash` opens one of its pages (a notification's click on a headless run). */
  | { kind: "open"; hash?: string }
  | { kind: "quit" }
  | { kind: "run" | "resume" | "attach" | "stop"; mode: string; id: string }
  /** `request`: the one shown (its pending id); an answer never goes to a request that came after. */
  | { kind: "allow" | "deny"; mode: string; id: string; request?: string };

const KINDS = new Set(["run", "resume", "attach", "stop", "allow", "deny"]);

/** Item ids carry the action: `run:interactive:TASK-42`; names are validated, so `:` is safe. */
export function parseTrayId(id: string): TrayAction | null {
  if (id === "open" || id === "quit") return { kind: id };
  // A repeated item carries `#n` after its id (see trayMenu).
  const [kind, mode, task, request] = id.split("#")[0]?.split(":") ?? [];
  if ((kind === "allow" || kind === "deny") && mode && task) return { kind, mode, id: task, ...(request && { request }) };
  if (kind && KINDS.has(kind) && mode && task) return { kind: kind as "run", mode, id: task };
  return null;
}

/** Tasks with the most recent runs first, then the rest in list order. */
function recentTasks(tasks: TaskSummary[]): TaskSummary[] {
  return [...tasks].sort((a, b) => lastRunId(b).localeCompare(lastRunId(a))).slice(0, RECENT_TASKS);
}

/** The runs that wait for the user (the first item counts them). */
function waiting(latest: RunInfo[]): RunInfo[] {
  return latest.filter((r) => r.state === "running" && needsUser(r) !== null);
}

/**
 * The tray menu (DESIGN §10, §12): Open Dispatch · the runs that need the user, each with what it
 * asks and Allow / Deny (or Attach, for a question) · "Run interactive on TASK-42" per recent task,
 * "Resume" where a session can be continued · Attach and Stop per live run · Quit. Pure, so it is
 * tested without a runtime. `latest`: the newest run of every {mode, task}.
 */
export function trayMenu(tasks: TaskSummary[], latest: RunInfo[], runMode = "interactive"): TrayItem[] {
  const need = waiting(latest);
  const items: TrayItem[] = [{ id: "open", text: need.length ? `Open Dispatch (${need.length} need you)` : "Open Dispatch" }];
  for (const run of need) {
    items.push({ id: "sep-need", text: "-" });
    const what = run.pending ? `: ${visible(run.pending.summary, 60)}` : "";
    items.push({ id: `say:${run.runId}`, text: `${run.taskId} ${needsUser(run)}${what}`, isDisabled: true });
    if (run.activity === "needs-approval") {
      const request = run.pending ? `:${run.pending.id}` : "";
      items.push({ id: `allow:${run.mode}:${run.taskId}${request}`, text: `    Allow ${run.pending?.tool ?? ""}`.trimEnd() });
      items.push({ id: `deny:${run.mode}:${run.taskId}${request}`, text: "    Deny" });
    } else if (!run.headless) {
      items.push({ id: `attach:${run.mode}:${run.taskId}`, text: `    Attach ${run.session}` });
    }
  }
  items.push({ id: "sep-1", text: "-" });
  const recent = recentTasks(tasks);
  const latestOf = (task: string) => latest.find((r) => r.mode === runMode && r.taskId === task);
  for (const task of recent) {
    const last = latestOf(task.id);
    const running = last?.state === "running";
    items.push({ id: `run:${runMode}:${task.id}`, text: `Run ${runMode} on ${task.id}`, isDisabled: running });
    if (!running && last?.sessionId) items.push({ id: `resume:${runMode}:${task.id}`, text: `Resume ${runMode} on ${task.id}` });
  }
  if (recent.length === 0) items.push({ id: "no-tasks", text: "No tasks yet", isDisabled: true });
  const live = latest.filter((r) => r.state === "running");
  if (live.length > 0) items.push({ id: "sep-2", text: "-" });
  for (const run of [...live].sort((a, b) => a.session.localeCompare(b.session))) {
    if (!run.headless) items.push({ id: `attach:${run.mode}:${run.taskId}`, text: `Attach ${run.session}` });
    items.push({ id: `stop:${run.mode}:${run.taskId}`, text: `Stop ${run.session}` });
  }
  const quit: TrayItem[] = [
    { id: "sep-3", text: "-" },
    { id: "quit", text: "Quit" },
  ];
  // Ids are unique: a separator or an Attach item shown twice keeps its first place.
  const seen = new Set<string>();
  const unique = items.map((item, index) => {
    if (!seen.has(item.id)) {
      seen.add(item.id);
      return item;
    }
    return { ...item, id: `${item.id}#${index}` };
  });
  return [...unique.slice(0, MAX_ITEMS - quit.length), ...quit];
}

/**
 * The tray icon never changes. Neutralino 6.9 on Linux runs os.setTray's GTK calls on its server
 * thread; a new icon then redraws the icon off GTK's main thread, and that aborted the runtime
 * (a cairo assertion, exit 134) in 3 of 8 approval flows here, against 0 of 8 with one icon. How
 * many runs need the user is in the menu's first item and the window title instead.
 */
export const TRAY_ICON = "/resources/icons/trayIcon.png";
