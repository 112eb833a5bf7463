import { shellWord } from "../proc/shell-word.ts";

/**
 * One opener per terminal: a pure function from the tmux attach command to the argv that opens
 * a window running it. No shell anywhere, except inside AppleScript (iTerm2, Terminal), whose
 * `command`/`do script` take one command line: there every word is shell-quoted, and the line is
 * escaped again as an AppleScript string.
 */

export type Platform = "linux" | "darwin" | "wsl";

export type AttachTarget = {
  /** tmux session name (validated: `claude-{mode}-{id}`). */
  session: string;
  /** The command that attaches, e.g. `tmux -L sock attach-session -t =NAME`. */
  attach: string[];
  /** WSL distribution, for Windows Terminal. */
  distro?: string;
};

export type Opener = {
  name: string;
  /** What `DISPATCH_TERMINAL` and config `terminal` accept. */
  aliases: string[];
  platforms: Platform[];
  /** The program that must be on the PATH (or the app that must exist on macOS). */
  requires: string;
  argv(target: AttachTarget): string[];
};

export { shellWord };

/** An AppleScript string literal. */
export function appleString(text: string): string {
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

const title = (t: AttachTarget) => `tmux:${t.session}`;
const commandLine = (t: AttachTarget) => t.attach.map(shellWord).join(" ");

/** wt.exe reads a bare `;` as its own command separator, even inside one argument. */
const wtEscape = (arg: string) => arg.replaceAll(";", "\\;");

export const OPENERS: Opener[] = [
  {
    name: "xdg-terminal-exec",
    aliases: ["xdg-terminal-exec", "xdg-terminal", "xdg"],
    platforms: ["linux"],
    requires: "xdg-terminal-exec",
    argv: (t) => ["xdg-terminal-exec", ...t.attach],
  },
  {
    name: "wezterm",
    aliases: ["wezterm", "WezTerm"],
    platforms: ["linux", "darwin"],
    requires: "wezterm",
    argv: (t) => ["wezterm", "start", "--always-new-process", "--", ...t.attach],
  },
  {
    name: "gnome-terminal",
    aliases: ["gnome-terminal", "gnome"],
    platforms: ["linux"],
    requires: "gnome-terminal",
    // `-e` is deprecated there; `--` takes the command as separate words.
    argv: (t) => ["gnome-terminal", `--title=${title(t)}`, "--", ...t.attach],
  },
  {
    name: "konsole",
    aliases: ["konsole"],
    platforms: ["linux"],
    requires: "konsole",
    argv: (t) => ["konsole", "--separate", "-p", `tabtitle=${title(t)}`, "-e", ...t.attach],
  },
  {
    name: "xfce4-terminal",
    aliases: ["xfce4-terminal", "xfce"],
    platforms: ["linux"],
    requires: "xfce4-terminal",
    argv: (t) => ["xfce4-terminal", `--title=${title(t)}`, "-x", ...t.attach],
  },
  {
    name: "kitty",
    aliases: ["kitty"],
    platforms: ["linux", "darwin"],
    requires: "kitty",
    argv: (t) => ["kitty", "--title", title(t), ...t.attach],
  },
  {
    name: "alacritty",
    aliases: ["alacritty", "Alacritty"],
    platforms: ["linux", "darwin"],
    requires: "alacritty",
    argv: (t) => ["alacritty", "--title", title(t), "-e", ...t.attach],
  },
  {
    name: "foot",
    aliases: ["foot"],
    platforms: ["linux"],
    requires: "foot",
    argv: (t) => ["foot", "--title", title(t), ...t.attach],
  },
  {
    name: "ghostty",
    aliases: ["ghostty", "Ghostty"],
    platforms: ["linux", "darwin"],
    requires: "ghostty",
    argv: (t) => ["ghostty", `--title=${title(t)}`, "-e", ...t.attach],
  },
  {
    name: "xterm",
    aliases: ["xterm"],
    platforms: ["linux"],
    requires: "xterm",
    argv: (t) => ["xterm", "-T", title(t), "-e", ...t.attach],
  },
  {
    name: "iterm2",
    aliases: ["iterm2", "iTerm2", "iterm", "iTerm.app"],
    platforms: ["darwin"],
    requires: "/Applications/iTerm.app",
    argv: (t) => [
      "osascript",
      "-e",
      'tell application "iTerm2"',
      "-e",
      `create window with default profile command ${appleString(commandLine(t))}`,
      "-e",
      "activate",
      "-e",
      "end tell",
    ],
  },
  {
    name: "apple-terminal",
    aliases: ["apple-terminal", "terminal", "Terminal", "Apple_Terminal"],
    platforms: ["darwin"],
    requires: "/System/Applications/Utilities/Terminal.app",
    argv: (t) => [
      "osascript",
      "-e",
      'tell application "Terminal"',
      // `exec` replaces the login shell, so closing tmux closes the window.
      "-e",
      `do script ${appleString(`exec ${commandLine(t)}`)}`,
      "-e",
      "activate",
      "-e",
      "end tell",
    ],
  },
  {
    name: "windows-terminal",
    aliases: ["windows-terminal", "wt", "wt.exe", "Windows Terminal"],
    platforms: ["wsl"],
    requires: "wt.exe",
    argv: (t) => [
      "wt.exe",
      "-w",
      "0",
      "new-tab",
      "--title",
      wtEscape(title(t)),
      "wsl.exe",
      "-d",
      wtEscape(t.distro ?? ""),
      "--",
      ...t.attach.map(wtEscape),
    ],
  },
];

export function openerByName(name: string): Opener | undefined {
  const lower = name.toLowerCase();
  return OPENERS.find((o) => o.aliases.some((a) => a.toLowerCase() === lower));
}
