import { DispatchError } from "../errors.ts";
import { exec } from "../proc/exec.ts";

/**
 * The only file that runs tmux. Every session target is written `=NAME` (and `=NAME:` for pane
 * commands) because tmux matches a bare `-t NAME` by prefix: `claude-interactive-TASK-4` would
 * find `claude-interactive-TASK-42` (DESIGN §11).
 */
export class Tmux {
  constructor(readonly socket: string | undefined) {}

  /** argv of a tmux call on our server (`-L socket` when one is configured). */
  argv(args: string[]): string[] {
    return ["tmux", ...(this.socket ? ["-L", this.socket] : []), ...args];
  }

  private async run(args: string[]) {
    try {
      return await exec(this.argv(args));
    } catch (error) {
      throw new DispatchError("internal", "tmux is not installed (apt-get install tmux, brew install tmux)", {
        cause: error,
      });
    }
  }

  /**
   * Creates the session detached and, in the same tmux invocation, keeps the pane after exit and
   * pipes its output to the log: chained with `;` arguments so not one byte is printed before the
   * pipe exists. Plain `new-session -d` is tmux's atomic create-if-absent: of parallel calls
   * exactly one succeeds. Returns the pane's pid, or null when the session already exists.
   */
  async newSession(options: {
    name: string;
    cwd: string;
    command: string[];
    logPath: string;
    env: Record<string, string>;
    width?: number;
    height?: number;
  }): Promise<number | null> {
    const { name } = options;
    const env = Object.entries(options.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const out = await this.run([
      // The window is named after the agent, not the launcher process (`bun.exe`).
      "new-session", "-d", "-s", name, "-n", "claude",
      "-x", String(options.width ?? 200), "-y", String(options.height ?? 50),
      "-c", options.cwd, ...env,
      "-P", "-F", "#{pane_pid}",
      // Two or more arguments after `--`: tmux runs the program without a shell.
      "--", ...options.command,
      ";", "set-option", "-p", "-t", `=${name}:`, "remain-on-exit", "on",
      ";", "pipe-pane", "-t", `=${name}:`, "-o", `cat >> ${shellQuote(options.logPath)}`,
      // Window titles name the session, so a terminal window can be found and raised (DESIGN §11).
      // (set-option takes a pane target: `=NAME` alone is refused, `=NAME:` works.)
      ";", "set-option", "-t", `=${name}:`, "set-titles", "on",
      ";", "set-option", "-t", `=${name}:`, "set-titles-string", "tmux:#{session_name}",
    ]);
    if (out.code !== 0) {
      if (/duplicate session/.test(out.stderr)) return null;
      // The session may exist with a later command of the chain failed: do not leave it behind.
      const runId = options.env.DISPATCH_RUN_ID;
      if (runId && (await this.sessionEnv(name, "DISPATCH_RUN_ID")) === runId) await this.killSession(name);
      throw new DispatchError("internal", `tmux new-session failed: ${out.stderr.trim()}`);
    }
    const pid = Number.parseInt(out.stdout.trim().split("\n")[0] ?? "", 10);
    return Number.isFinite(pid) ? pid : 0;
  }

  async hasSession(name: string): Promise<boolean> {
    return (await this.run(["has-session", "-t", `=${name}`])).code === 0;
  }

  async killSession(name: string): Promise<boolean> {
    return (await this.run(["kill-session", "-t", `=${name}`])).code === 0;
  }

  /** A variable given with `new-session -e`, or null. */
  async sessionEnv(name: string, key: string): Promise<string | null> {
    const out = await this.run(["show-environment", "-t", `=${name}`, key]);
    if (out.code !== 0) return null;
    const line = out.stdout.trim();
    return line.startsWith(`${key}=`) ? line.slice(key.length + 1) : null;
  }

  /** Names of every session on the server (empty when no server runs). */
  async sessions(): Promise<string[]> {
    const out = await this.run(["list-sessions", "-F", "#{session_name}"]);
    return out.code === 0 ? out.stdout.split("\n").filter(Boolean) : [];
  }

  /** Terminal clients attached to the session; control-mode clients are not windows. */
  async clients(name: string): Promise<{ tty: string; pid: number }[]> {
    const out = await this.run(["list-clients", "-t", `=${name}`, "-F", "#{client_control_mode} #{client_tty} #{client_pid}"]);
    if (out.code !== 0) return [];
    return out.stdout
      .split("\n")
      .map((l) => l.split(" "))
      .filter(([control]) => control === "0")
      .map(([, tty, pid]) => ({ tty: tty ?? "", pid: Number(pid) }));
  }

  /** argv that attaches the calling terminal to the session. */
  attachArgv(name: string): string[] {
    return this.argv(["attach-session", "-t", `=${name}`]);
  }

  /** Sends literal text followed by Enter to the session's pane. */
  async sendKeys(name: string, text: string): Promise<void> {
    await this.run(["send-keys", "-t", `=${name}:`, "-l", "--", text]);
    await this.run(["send-keys", "-t", `=${name}:`, "Enter"]);
  }

  async capture(name: string): Promise<string> {
    const out = await this.run(["capture-pane", "-p", "-t", `=${name}:`]);
    return out.stdout;
  }
}

/** Quotes a path for the one tmux option that is a shell command (`pipe-pane`). */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
