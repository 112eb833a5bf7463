import type { RunInfo } from "../../src-ext/protocol/api.ts";
import { runOutcome } from "../../src-ext/protocol/describe.ts";

const ASKED_KEY = "dispatch.notifications.asked";

/**
 * A desktop notification when a headless run ends: which task, which mode, how it ended, and a
 * click that opens the task. Permission is asked once, on the first run the user starts.
 */
export class Notifier {
  private live = new Set<string>();

  constructor(
    private readonly open: (taskId: string) => void,
    private readonly enabled = true,
  ) {}

  /** Called from a click (a user gesture), where browsers allow the permission prompt. */
  askOnce(): void {
    if (!this.enabled || typeof Notification === "undefined" || Notification.permission !== "default") return;
    if (localStorage.getItem(ASKED_KEY)) return;
    localStorage.setItem(ASKED_KEY, "1");
    void Notification.requestPermission();
  }

  onRun(run: RunInfo): void {
    if (!this.enabled || !run.headless) return;
    if (run.state === "running") {
      this.live.add(run.runId);
      return;
    }
    if (!this.live.delete(run.runId)) return;
    if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
    const note = new Notification(`${run.taskId}: ${run.mode} ${runOutcome(run)}`, {
      body:
        run.reason ??
        (run.result?.costUsd !== undefined
          ? `cost $${run.result.costUsd.toFixed(4)}, ${run.result.turns ?? "?"} turns`
          : "Open the task to read its log."),
      tag: run.runId,
    });
    note.onclick = () => {
      focus();
      this.open(run.taskId);
    };
  }
}
