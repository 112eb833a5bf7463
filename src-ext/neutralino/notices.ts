import type { Notice } from "../notify/notify-send.ts";
import type { RunInfo } from "../protocol/api.ts";
import { dollars, needsUser, runOutcome } from "../protocol/describe.ts";
import { href } from "../protocol/pages.ts";
import type { TrayAction } from "./tray-menu.ts";

/** A desktop notification and what each of its actions does (the same actions as the tray's). */
export type ActionableNotice = Notice & { on: Record<string, TrayAction> };

/**
 * A run that now needs the user: which task, and why (the command it wants to run). Clicking it
 * raises the run's terminal (interactive) or opens its task in the window (headless, no terminal);
 * a permission request also offers Allow and Deny.
 */
export function needsUserNotice(run: RunInfo): ActionableNotice | null {
  const why = needsUser(run);
  if (!why) return null;
  const open: TrayAction = run.headless
    ? { kind: "open", hash: href({ name: "task", id: run.taskId }) }
    : { kind: "attach", mode: run.mode, id: run.taskId };
  const notice: ActionableNotice = {
    title: `${run.taskId}: ${why}`,
    body: `${run.mode}${run.pending ? `: ${run.pending.summary}` : ""}`,
    actions: [{ key: "default", label: run.headless ? "Open the task" : "Show the terminal" }],
    on: { default: open },
  };
  if (run.activity === "needs-approval" && run.pending) {
    notice.actions.push({ key: "allow", label: "Allow" }, { key: "deny", label: "Deny" });
    notice.on.allow = { kind: "allow", mode: run.mode, id: run.taskId, request: run.pending.id };
    notice.on.deny = { kind: "deny", mode: run.mode, id: run.taskId, request: run.pending.id };
  }
  return notice;
}

/** A headless run this app saw running has ended: which task, which mode, how; a click opens its log. */
export function endedNotice(run: RunInfo): ActionableNotice | null {
  if (!run.headless) return null;
  return {
    title: `${run.taskId}: ${run.mode} ${runOutcome(run)}`,
    body: run.reason ?? (run.result?.costUsd !== undefined ? `cost ${dollars(run.result.costUsd)}` : "Open Dispatch to read its log."),
    actions: [{ key: "default", label: "Open the log" }],
    on: { default: { kind: "open", hash: href({ name: "log", mode: run.mode, id: run.taskId, run: run.runId }) } },
  };
}

/** A notice that only informs (a failed action, a terminal that could not open). */
export function plainNotice(title: string, body: string): ActionableNotice {
  return { title, body, actions: [], on: {} };
}
