import { DispatchError } from "../errors.ts";
import { exec } from "../proc/exec.ts";
import { shellWord } from "../proc/shell-word.ts";

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
   * exactly one succeeds. Returns the pane's pid and the session's id (`$N`, never reused while
   * the tmux server lives), or null when the session already exists.
   */
  async newSession(options: {
    name: string;
    cwd: string;
    command: string[];
    logPath: string;
    env: Record<string, string>;
    width?: number;
    height?: number;
  }): Promise<{ pid: number; id: string } | null> {
    const { name } = options;
    const env = Object.entries(options.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const out = await this.run([
      // The window is named after the agent, not the launcher process (`bun.exe`).
      "new-session",
      "-d",
      "-s",
      name,
      "-n",
      "claude",
      "-x",
      String(options.width ?? 200),
      "-y",
      String(options.height ?? 50),
      "-c",
      noFormats(options.cwd),
      ...env,
      "-P",
      "-F",
      "#{pane_pid} #{session_id}",
      // Two or more arguments after `--`: tmux runs the program without a shell.
      "--",
      ...options.command,
      ";",
      "set-option",
      "-p",
      "-t",
      `=${name}:`,
      "remain-on-exit",
      "on",
      ";",
      "pipe-pane",
      "-t",
      `=${name}:`,
      "-o",
      noFormats(`cat >> ${shellWord(options.logPath)}`),
      // Window titles name the session, so a terminal window can be found and raised (DESIGN §11).
      // (set-option takes a pane target: `=NAME` alone is refused, `=NAME:` works.)
      ";",
      "set-option",
      "-t",
      `=${name}:`,
      "set-titles",
      "on",
      ";",
      "set-option",
      "-t",
      `=${name}:`,
      "set-titles-string",
      "tmux:#{session_name}",
    ]);
    if (out.code !== 0) {
      if (/duplicate session/.test(out.stderr)) return null;
      // The session may exist with a later command of the chain failed: do not leave it behind.
      const runId = options.env.DISPATCH_RUN_ID;
      if (runId) await this.killRunSession({ name, id: null, runId });
      throw new DispatchError("internal", `tmux new-session failed: ${out.stderr.trim()}`);
    }
    const [pid, id] = (out.stdout.trim().split("\n")[0] ?? "").split(" ");
    return { pid: Number(pid) || 0, id: id ?? "" };
  }

  async hasSession(name: string): Promise<boolean> {
    return (await this.run(["has-session", "-t", `=${name}`])).code === 0;
  }

  async killSession(name: string): Promise<boolean> {
    return (await this.run(["kill-session", "-t", `=${name}`])).code === 0;
  }

  /**
   * Ends a run's session only if it is still that run's: found by its id (`$N`) and checked by
   * DISPATCH_RUN_ID, so a new session of the same name (the next run) is never the one killed.
   */
  async killRunSession(session: { name: string; id: string | null; runId: string }): Promise<boolean> {
    const target = session.id || `=${session.name}`;
    if ((await this.sessionEnv(target, "DISPATCH_RUN_ID")) !== session.runId) return false;
    return (await this.run(["kill-session", "-t", target])).code === 0;
  }

  /** A variable given with `new-session -e`, or null. `target` is `=NAME` or a session id `$N`. */
  async sessionEnv(target: string, key: string): Promise<string | null> {
    const out = await this.run(["show-environment", "-t", target, key]);
    if (out.code !== 0) return null;
    const line = out.stdout.trim();
    return line.startsWith(`${key}=`) ? line.slice(key.length + 1) : null;
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
}

/**
 * tmux expands formats (`#{…}`, `#(…)` runs a command) in `-c` and in pipe-pane's command:
 * a path holding `#` must reach it as `##`.
 */
export function noFormats(text: string): string {
  return text.replaceAll("#", "##");
}
