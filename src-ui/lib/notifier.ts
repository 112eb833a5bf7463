import { dollars, needsUser } from "../../src-ext/protocol/describe.ts";
import type { EventOf } from "../../src-ext/protocol/events.ts";

const ASKED_KEY = "dispatch.notifications.asked";

/**
 * A desktop notification when a headless run ends: which task, which mode, how it ended, and a
 * click that opens the task. Permission is asked once, on the first run the user starts.
 */
export class Notifier {
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

  /** A run now needs the user (approval, a question, an error): which task, and why. */
  onActivity({ run, previous }: EventOf<"run.activity">): void {
    if (!this.enabled || typeof Notification === "undefined" || Notification.permission !== "granted") return;
    const why = needsUser(run);
    if (!why || needsUser({ ...run, activity: previous }) === why) return;
    const note = new Notification(`${run.taskId}: ${why}`, {
      body: `${run.mode}${run.pending ? `: ${run.pending.summary}` : ""}`,
      tag: `${run.runId}-activity`,
    });
    note.onclick = () => {
      focus();
      this.open(run.taskId);
    };
  }

  /** A run ended (the transition, as the server saw it): headless runs are worth a notification. */
  onEnded({ run, outcome }: EventOf<"run.ended">): void {
    if (!this.enabled || !run.headless) return;
    if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
    const note = new Notification(`${run.taskId}: ${run.mode} ${outcome}`, {
      body:
        run.reason ??
        (run.result?.costUsd !== undefined
          ? `cost ${dollars(run.result.costUsd)}, ${run.result.turns ?? "?"} turns`
          : "Open the task to read its log."),
      tag: run.runId,
    });
    note.onclick = () => {
      focus();
      this.open(run.taskId);
    };
  }
}
