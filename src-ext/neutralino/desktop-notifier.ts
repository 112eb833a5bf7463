import { describe } from "../errors.ts";
import { NotifySend } from "../notify/notify-send.ts";
import type { NeutralinoBridge } from "./bridge.ts";
import type { ActionableNotice } from "./notices.ts";
import type { TrayAction } from "./tray-menu.ts";

/**
 * Shows the desktop's notifications: through notify-send where a notification server answers
 * (clicks and buttons act, like the tray's items), else through Neutralino's own (text only).
 * One wait per run: a newer notice about a run, or the run no longer needing the user, ends the
 * wait for the older one, so a late click on it does nothing rather than answer a stale request.
 */
export class DesktopNotifier {
  private readonly waits = new Map<string, AbortController>();

  constructor(
    private readonly bridge: NeutralinoBridge,
    private readonly act: (action: TrayAction) => Promise<void>,
    private readonly notifySend = new NotifySend(),
  ) {}

  /** Shows the notice; resolves once it has closed and its chosen action (if any) has run. */
  async show(notice: ActionableNotice, runId?: string): Promise<void> {
    if (runId) this.cancel(runId);
    const wait = new AbortController();
    if (runId) this.waits.set(runId, wait);
    try {
      const outcome = await this.notifySend.show(notice, wait.signal);
      if (!outcome.shown) {
        await this.bridge.call("os.showNotification", { title: notice.title, content: notice.body });
        return;
      }
      const action = outcome.action ? notice.on[outcome.action] : undefined;
      if (action) await this.act(action);
    } catch (error) {
      console.error(`dispatch: could not notify: ${describe(error)}`);
    } finally {
      if (runId && this.waits.get(runId) === wait) this.waits.delete(runId);
    }
  }

  /** The run no longer needs what its notice asked: a click on it acts no more. */
  cancel(runId: string): void {
    this.waits.get(runId)?.abort();
    this.waits.delete(runId);
  }

  stop(): void {
    for (const wait of this.waits.values()) wait.abort();
    this.waits.clear();
  }
}
