import { describe, expect, test } from "bun:test";
import { DispatchError } from "../errors.ts";
import { chooseTerminal, platformOf } from "./detect.ts";
import { macFocusArgv, titlePattern } from "./focus.ts";
import { OPENERS, openerByName, shellWord } from "./openers.ts";

const attach = ["tmux", "-L", "dispatch", "attach-session", "-t", "=claude-interactive-TASK-42"];
const target = { session: "claude-interactive-TASK-42", attach, distro: "Ubuntu-24.04" };
const argv = (name: string, t = target) => openerByName(name)?.argv(t);

describe("terminal openers: exact argv", () => {
  test("Linux terminals run tmux as separate words, titled tmux:SESSION", () => {
    expect(argv("xdg-terminal-exec")).toEqual(["xdg-terminal-exec", ...attach]);
    expect(argv("wezterm")).toEqual(["wezterm", "start", "--always-new-process", "--", ...attach]);
    expect(argv("gnome-terminal")).toEqual(["gnome-terminal", "--title=tmux:claude-interactive-TASK-42", "--", ...attach]);
    expect(argv("konsole")).toEqual(["konsole", "--separate", "-p", "tabtitle=tmux:claude-interactive-TASK-42", "-e", ...attach]);
    expect(argv("xfce4-terminal")).toEqual(["xfce4-terminal", "--title=tmux:claude-interactive-TASK-42", "-x", ...attach]);
    expect(argv("kitty")).toEqual(["kitty", "--title", "tmux:claude-interactive-TASK-42", ...attach]);
    expect(argv("alacritty")).toEqual(["alacritty", "--title", "tmux:claude-interactive-TASK-42", "-e", ...attach]);
    expect(argv("foot")).toEqual(["foot", "--title", "tmux:claude-interactive-TASK-42", ...attach]);
    expect(argv("ghostty")).toEqual(["ghostty", "--title=tmux:claude-interactive-TASK-42", "-e", ...attach]);
    expect(argv("xterm")).toEqual(["xterm", "-T", "tmux:claude-interactive-TASK-42", "-e", ...attach]);
  });

  test("macOS: AppleScript for iTerm2 and Terminal", () => {
    expect(argv("iterm2")).toEqual([
      "osascript",
      "-e",
      'tell application "iTerm2"',
      "-e",
      'create window with default profile command "tmux -L dispatch attach-session -t =claude-interactive-TASK-42"',
      "-e",
      "activate",
      "-e",
      "end tell",
    ]);
    expect(argv("apple-terminal")).toEqual([
      "osascript",
      "-e",
      'tell application "Terminal"',
      "-e",
      'do script "exec tmux -L dispatch attach-session -t =claude-interactive-TASK-42"',
      "-e",
      "activate",
      "-e",
      "end tell",
    ]);
  });

  test("AppleScript quoting survives hostile session and socket names", () => {
    const session = `x"y'z\\w`;
    const withSession = argv("iterm2", { ...target, session, attach: ["tmux", "attach-session", "-t", `=${session}`] })?.[4] as string;
    expect(withSession).toBe(`create window with default profile command "tmux attach-session -t '=x\\"y'\\\\''z\\\\w'"`);
    const hostile = ["tmux", "-L", `a"b'c\\d;$(rm -rf ~)`, "attach-session", "-t", "=claude-interactive-TASK-42"];
    const script = argv("iterm2", { ...target, attach: hostile })?.[4] as string;
    // The shell word: single-quoted, the inner ' closed and escaped.
    expect(shellWord(`a"b'c\\d;$(rm -rf ~)`)).toBe(`'a"b'\\''c\\d;$(rm -rf ~)'`);
    // The AppleScript string: backslashes and double quotes escaped, nothing else touched.
    expect(script).toBe(
      `create window with default profile command "tmux -L 'a\\"b'\\\\''c\\\\d;$(rm -rf ~)' attach-session -t =claude-interactive-TASK-42"`,
    );
    const terminal = argv("apple-terminal", { ...target, attach: hostile })?.[4] as string;
    expect(terminal).toStartWith(`do script "exec tmux -L 'a\\"b'`);
  });

  test("WSL: Windows Terminal runs wsl.exe in the distribution, with ; escaped for wt.exe", () => {
    expect(argv("windows-terminal")).toEqual([
      "wt.exe",
      "-w",
      "0",
      "new-tab",
      "--title",
      "tmux:claude-interactive-TASK-42",
      "wsl.exe",
      "-d",
      "Ubuntu-24.04",
      "--",
      ...attach,
    ]);
    const withSemicolon = argv("windows-terminal", { ...target, attach: ["tmux", "-L", "a;b", "attach-session", "-t", "=x"] });
    expect(withSemicolon?.slice(-6)).toEqual(["tmux", "-L", "a\\;b", "attach-session", "-t", "=x"]);
  });

  test("focus: a window title regex per session, AppleScript selecting by tty", () => {
    expect(titlePattern("claude-interactive-TASK-42")).toBe("^tmux:claude-interactive-TASK-42($| )");
    expect(macFocusArgv("iterm2", "/dev/ttys003")).toContain('if tty of s is "/dev/ttys003" then');
    expect(macFocusArgv("apple-terminal", '/dev/"x')).toContain('if tty of t is "/dev/\\"x" then');
  });
});

describe("terminal detection", () => {
  const only =
    (...present: string[]) =>
    (r: string) =>
      present.includes(r);

  test("DISPATCH_TERMINAL / config first; none opens nothing; unknown or missing is a clear error", () => {
    expect(chooseTerminal({ env: {}, platform: "linux", has: only("xterm", "konsole"), configured: "konsole" })?.name).toBe("konsole");
    expect(chooseTerminal({ env: {}, platform: "linux", has: only("xterm"), configured: "none" })).toBeNull();
    expect(() => chooseTerminal({ env: {}, platform: "linux", has: only("xterm"), configured: "hyper" })).toThrow("unknown terminal hyper");
    expect(() => chooseTerminal({ env: {}, platform: "linux", has: only("xterm"), configured: "kitty" })).toThrow("kitty is not installed");
  });

  test("then the terminal the user runs in", () => {
    const has = only(
      "xterm",
      "wezterm",
      "kitty",
      "konsole",
      "/Applications/iTerm.app",
      "/System/Applications/Utilities/Terminal.app",
      "wt.exe",
    );
    expect(chooseTerminal({ env: { TERM_PROGRAM: "WezTerm" }, platform: "linux", has })?.name).toBe("wezterm");
    expect(chooseTerminal({ env: { KITTY_WINDOW_ID: "1" }, platform: "linux", has })?.name).toBe("kitty");
    expect(chooseTerminal({ env: { KONSOLE_VERSION: "230" }, platform: "linux", has })?.name).toBe("konsole");
    expect(chooseTerminal({ env: { TERM_PROGRAM: "iTerm.app" }, platform: "darwin", has })?.name).toBe("iterm2");
    expect(chooseTerminal({ env: { TERM_PROGRAM: "Apple_Terminal" }, platform: "darwin", has })?.name).toBe("apple-terminal");
    expect(chooseTerminal({ env: { WT_SESSION: "x" }, platform: "wsl", has })?.name).toBe("windows-terminal");
    // The terminal it runs in is not installed as a program: fall through to the list.
    expect(chooseTerminal({ env: { GNOME_TERMINAL_SCREEN: "x" }, platform: "linux", has: only("xterm") })?.name).toBe("xterm");
  });

  test("then the platform's order", () => {
    expect(chooseTerminal({ env: {}, platform: "linux", has: only("xterm", "foot", "gnome-terminal") })?.name).toBe("gnome-terminal");
    expect(chooseTerminal({ env: {}, platform: "linux", has: only("xterm", "xdg-terminal-exec") })?.name).toBe("xdg-terminal-exec");
    expect(chooseTerminal({ env: {}, platform: "linux", has: only("xterm") })?.name).toBe("xterm");
    expect(
      chooseTerminal({ env: {}, platform: "darwin", has: only("/Applications/iTerm.app", "/System/Applications/Utilities/Terminal.app") })
        ?.name,
    ).toBe("iterm2");
    expect(chooseTerminal({ env: {}, platform: "darwin", has: only("/System/Applications/Utilities/Terminal.app") })?.name).toBe(
      "apple-terminal",
    );
    expect(chooseTerminal({ env: {}, platform: "wsl", has: only("wt.exe", "xterm") })?.name).toBe("windows-terminal");
    // A Linux-only terminal is not chosen on macOS.
    expect(() => chooseTerminal({ env: {}, platform: "darwin", has: only("xterm") })).toThrow(DispatchError);
  });

  test("no terminal: the error says what to install or set", () => {
    expect(() => chooseTerminal({ env: {}, platform: "linux", has: only() })).toThrow(
      "no terminal found: set DISPATCH_TERMINAL or install one of xdg-terminal-exec, wezterm, gnome-terminal, konsole, xfce4-terminal, kitty, alacritty, foot, xterm",
    );
  });

  test("platform: macOS, WSL (by variable or kernel), Linux", () => {
    expect(platformOf({}, "darwin", "")).toBe("darwin");
    expect(platformOf({ WSL_DISTRO_NAME: "Ubuntu" }, "linux", "")).toBe("wsl");
    expect(platformOf({}, "linux", "Linux version 5.15.167.4-microsoft-standard-WSL2")).toBe("wsl");
    expect(platformOf({}, "linux", "Linux version 6.1.0-18-amd64")).toBe("linux");
  });

  test("every opener is reachable by its own name", () => {
    for (const opener of OPENERS) expect(openerByName(opener.name)).toBe(opener);
  });
});
