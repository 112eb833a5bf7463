import { procStat } from "../proc/liveness.ts";
import { exec } from "../proc/spawn.ts";
import { appleString, type Platform } from "./openers.ts";

export type Client = { tty: string; pid: number };
export type FocusResult = { focused: boolean; how: string };

/** Window-title pattern: tmux's `set-titles-string 'tmux:#{session_name}'` (set per session). */
export function titlePattern(session: string): string {
  return `^tmux:${session}($| )`;
}

/** AppleScript that brings forward the iTerm2 or Terminal window whose tab owns `tty`. */
export function macFocusArgv(app: "iterm2" | "apple-terminal", tty: string): string[] {
  if (app === "iterm2") {
    return [
      "osascript",
      "-e",
      'tell application "iTerm2"',
      "-e",
      "repeat with w in windows",
      "-e",
      "repeat with t in tabs of w",
      "-e",
      "repeat with s in sessions of t",
      "-e",
      `if tty of s is ${appleString(tty)} then`,
      "-e",
      "select w",
      "-e",
      "select t",
      "-e",
      "activate",
      "-e",
      "return",
      "-e",
      "end if",
      "-e",
      "end repeat",
      "-e",
      "end repeat",
      "-e",
      "end repeat",
      "-e",
      "end tell",
    ];
  }
  return [
    "osascript",
    "-e",
    'tell application "Terminal"',
    "-e",
    "repeat with w in windows",
    "-e",
    "repeat with t in tabs of w",
    "-e",
    `if tty of t is ${appleString(tty)} then`,
    "-e",
    "set selected of t to true",
    "-e",
    "set index of w to 1",
    "-e",
    "activate",
    "-e",
    "return",
    "-e",
    "end if",
    "-e",
    "end repeat",
    "-e",
    "end repeat",
    "-e",
    "end tell",
  ];
}

async function xdotool(args: string[]): Promise<string[]> {
  const out = await exec(["xdotool", ...args]).catch(() => ({ code: 1, stdout: "", stderr: "" }));
  return out.code === 0 ? out.stdout.split("\n").filter(Boolean) : [];
}

/**
 * Brings forward the window that already shows the session, where the platform allows:
 * X11 through xdotool (by the title tmux sets, else by the window of the client's terminal
 * process), WezTerm through its CLI, macOS through AppleScript. Never opens anything.
 */
export async function focusClient(options: {
  session: string;
  clients: Client[];
  platform: Platform;
  env: Record<string, string | undefined>;
  has: (program: string) => boolean;
}): Promise<FocusResult> {
  const { session, clients, platform, env, has } = options;
  if (platform === "darwin") {
    const app = env.TERM_PROGRAM === "Apple_Terminal" ? "apple-terminal" : "iterm2";
    for (const client of clients) {
      if ((await exec(macFocusArgv(app, client.tty)).catch(() => ({ code: 1 }))).code === 0) return { focused: true, how: app };
    }
  }
  if (has("wezterm")) {
    const list = await exec(["wezterm", "cli", "list", "--format", "json"]).catch(() => null);
    if (list?.code === 0) {
      const panes = JSON.parse(list.stdout) as Array<{ pane_id: number; tty_name?: string }>;
      const pane = panes.find((p) => clients.some((c) => c.tty === p.tty_name));
      if (pane && (await exec(["wezterm", "cli", "activate-pane", "--pane-id", String(pane.pane_id)])).code === 0) {
        return { focused: true, how: "wezterm" };
      }
    }
  }
  if (platform === "linux" && env.DISPLAY && has("xdotool")) {
    let windows = await xdotool(["search", "--name", titlePattern(session)]);
    if (windows.length === 0) {
      // Terminals that keep their own title: the window of the process that runs the client.
      for (const client of clients) {
        for (let pid: number | null = client.pid, hops = 0; pid && pid > 1 && hops < 6 && windows.length === 0; hops++) {
          windows = await xdotool(["search", "--pid", String(pid)]);
          pid = procStat(pid)?.ppid ?? null;
        }
      }
    }
    const window = windows.at(-1);
    if (window && (await exec(["xdotool", "windowactivate", "--sync", window])).code === 0) return { focused: true, how: "xdotool" };
  }
  return { focused: false, how: "none" };
}
