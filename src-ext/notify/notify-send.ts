import { existsSync } from "node:fs";
import { execLines } from "../proc/spawn.ts";

/**
 * Desktop notifications with actions on Linux, through libnotify's `notify-send` (libnotify-bin,
 * 0.8: `--action`, `--wait`, `--print-id`). The only file that knows its argv. Neutralino's own
 * `os.showNotification` has no actions and no click callback, so a click could never raise a
 * terminal or answer a request through it.
 *
 * Measured with notify-send 0.8.1 and dunst 1.9 (Debian 12): with `--print-id --wait` it prints
 * the notification's id, then, when one is invoked, the action's key ("default" for a click on the
 * body), and exits 0 once the notification closes. With no notification server (or no session bus)
 * it prints no id and, with `--wait`, never exits: a notice without an id in ID_WITHIN_MS is not
 * shown, and its notify-send is ended.
 */

/** dunst started by D-Bus activation answered in 150 ms here; a busy desktop gets ten times that and more. */
const ID_WITHIN_MS = 3000;

/** The lines notify-send prints, as they come; `stop` ends it. */
export type Run = (argv: string[]) => { lines: AsyncGenerator<string>; kill(): void };

export type NoticeAction = { key: string; label: string };
export type Notice = {
  title: string;
  body: string;
  /** "default" is a click on the notification itself; the others are buttons or a menu. */
  actions: NoticeAction[];
};
/** `shown` false: no notification server answered (the caller falls back); `action` is the key invoked, if any. */
export type NoticeOutcome = { shown: boolean; action: string | null };

const ACTION_KEY = /^[a-z][a-z-]{0,31}$/;

/** The body may carry markup (the spec's body-markup capability): text, never tags. */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Every string after `--` is an argument, never an option: a title that starts with "-" stays a title. */
export function notifySendArgv(notice: Notice): string[] {
  const argv = ["notify-send", "--app-name=Dispatch", "--print-id"];
  if (notice.actions.length > 0) argv.push("--wait");
  for (const action of notice.actions) {
    if (!ACTION_KEY.test(action.key)) throw new Error(`notification action key ${JSON.stringify(action.key)} is not a plain word`);
    argv.push(`--action=${action.key}=${action.label}`);
  }
  argv.push("--", notice.title, escapeMarkup(notice.body));
  return argv;
}

/** Reads notify-send's output: the id on the first line, then the invoked action's key, if any. */
export function parseNotifySendOutput(stdout: string, actions: NoticeAction[]): { id: number | null; action: string | null } {
  const [first, second] = stdout.split("\n").map((line) => line.trim());
  const id = first && /^\d+$/.test(first) ? Number(first) : null;
  const action = second && actions.some((a) => a.key === second) ? second : null;
  return { id, action };
}

/** A session bus to reach a notification server on: its address, or the usual socket (systemd's). */
function sessionBus(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.DBUS_SESSION_BUS_ADDRESS) || (Boolean(env.XDG_RUNTIME_DIR) && existsSync(`${env.XDG_RUNTIME_DIR}/bus`));
}

export class NotifySend {
  constructor(
    private readonly run: Run = execLines,
    readonly available = Bun.which("notify-send") !== null && sessionBus(),
  ) {}

  /**
   * Shows the notice and, when it has actions, resolves once it closes with the action invoked.
   * `signal` ends the wait (the notice was replaced, or the app stops); the notification itself
   * stays until the server closes it.
   */
  async show(notice: Notice, signal?: AbortSignal): Promise<NoticeOutcome> {
    if (!this.available || signal?.aborted) return { shown: false, action: null };
    const child = this.run(notifySendArgv(notice));
    const stop = () => child.kill();
    signal?.addEventListener("abort", stop, { once: true });
    const noId = setTimeout(stop, ID_WITHIN_MS);
    try {
      const first = await child.lines.next();
      clearTimeout(noId);
      const { id } = parseNotifySendOutput(first.done ? "" : first.value, []);
      if (id === null) return { shown: false, action: null };
      const second = await child.lines.next();
      const { action } = parseNotifySendOutput(`${id}\n${second.done ? "" : second.value}`, notice.actions);
      // An abort (replaced, stopping) ends the wait, not the notice.
      return { shown: true, action: signal?.aborted ? null : action };
    } finally {
      clearTimeout(noId);
      signal?.removeEventListener("abort", stop);
      stop();
    }
  }
}
