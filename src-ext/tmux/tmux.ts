import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { DispatchError } from "../errors.ts";
import { shellWord } from "../proc/shell-word.ts";
import { type Exec, exec as realExec } from "../proc/spawn.ts";

/**
 * The only file that runs tmux. Every call names its server by socket path (`-S`), the one a run
 * was created on, so a CLI started with another `DISPATCH_TMUX_SOCKET` or `TMUX_TMPDIR` still asks
 * the right server. Every session target is written `=NAME` (and `=NAME:` for pane commands)
 * because tmux matches a bare `-t NAME` by prefix: `claude-interactive-TASK-4` would find
 * `claude-interactive-TASK-42` (DESIGN §11).
 */

/** What a lookup of a run's session found. `no-server`: nothing listens on the socket, so no session lives there. */
export type SessionLookup = { pid: number; id: string; dead: boolean } | "absent" | "no-server";

/** The variable, set on every run's session, that names the run's event file for tmux's hooks. */
export const EVENTS_VAR = "DISPATCH_EVENTS";

/**
 * The socket path tmux itself would use (tmux.c, `make_label`): `-L label` or "default" in the
 * real path of `$TMUX_TMPDIR/tmux-UID` (or `/tmp/tmux-UID`); with neither `-L` nor `-S`, the server
 * of the client we run inside (`$TMUX`).
 */
export function socketPathFor(label: string | undefined, env: Record<string, string | undefined>, uid = process.getuid?.() ?? 0): string {
  if (!label && env.TMUX && !env.TMUX.startsWith(",")) return env.TMUX.split(",")[0] as string;
  const base = join(env.TMUX_TMPDIR || "/tmp", `tmux-${uid}`);
  let dir = base;
  try {
    // tmux creates the folder (0700) before it resolves it; so do we, so both name it alike.
    mkdirSync(base, { recursive: true, mode: 0o700 });
    dir = realpathSync(base);
  } catch {
    // Not creatable here: tmux will say so when it is run.
  }
  return join(dir, label || "default");
}

export class Tmux {
  constructor(
    readonly socketPath: string,
    private readonly exec: Exec = realExec,
  ) {}

  /** The same tmux on another server: the one a run was created on. */
  at(socketPath: string | null): Tmux {
    return !socketPath || socketPath === this.socketPath ? this : new Tmux(socketPath, this.exec);
  }

  /** argv of a tmux call on this server. */
  argv(args: string[]): string[] {
    return ["tmux", "-S", this.socketPath, ...args];
  }

  private async run(args: string[]) {
    try {
      return await this.exec(this.argv(args));
    } catch (error) {
      throw new DispatchError("internal", "tmux is not installed (apt-get install tmux, brew install tmux)", {
        cause: error,
      });
    }
  }

  /**
   * Creates the session detached and, in the same tmux invocation, keeps the pane after exit,
   * pipes its output to the log and sets the hooks that report attach and detach: chained with
   * `;` arguments so not one byte is printed before the pipe exists. Plain `new-session -d` is
   * tmux's atomic create-if-absent: of parallel calls exactly one succeeds. Returns the pane's pid,
   * the session's id (`$N`, never reused while the server lives) and the server's socket path, or
   * null when the session already exists.
   */
  async newSession(options: {
    name: string;
    cwd: string;
    command: string[];
    logPath: string;
    env: Record<string, string>;
    width?: number;
    height?: number;
  }): Promise<{ pid: number; id: string; socket: string } | null> {
    const { name } = options;
    const env = Object.entries(options.env).flatMap(([k, v]) => ["-e", noSeparator(`${k}=${v}`)]);
    const pane = `=${name}:`;
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
      noSeparator(noFormats(options.cwd)),
      ...env,
      "-P",
      "-F",
      "#{pane_pid} #{session_id} #{socket_path}",
      // Two or more arguments after `--`: tmux runs the program without a shell.
      "--",
      ...options.command,
      ";",
      "set-option",
      "-p",
      "-t",
      pane,
      "remain-on-exit",
      "on",
      ";",
      "pipe-pane",
      "-t",
      pane,
      "-o",
      // exec: the shell tmux starts for it becomes the `cat` (one process per run, not two).
      noFormats(`exec cat >> ${shellWord(options.logPath)}`),
      // Window titles name the session, so a terminal window can be found and raised (DESIGN §11).
      // (set-option takes a pane target: `=NAME` alone is refused, `=NAME:` works.)
      ";",
      "set-option",
      "-t",
      pane,
      "set-titles",
      "on",
      ";",
      "set-option",
      "-t",
      pane,
      "set-titles-string",
      "tmux:#{session_name}",
      ";",
      "set-hook",
      "-t",
      pane,
      "client-attached",
      hookLine("client-attached"),
      ";",
      "set-hook",
      "-t",
      pane,
      "client-detached",
      hookLine("client-detached"),
    ]);
    if (out.code !== 0) {
      if (/duplicate session/.test(out.stderr)) return null;
      // The session may exist with a later command of the chain failed: do not leave it behind.
      const runId = options.env.DISPATCH_RUN_ID;
      if (runId) await this.killRunSession({ name, id: null, runId });
      throw new DispatchError("internal", `tmux new-session failed: ${out.stderr.trim()}`);
    }
    const [pid, id, ...socket] = (out.stdout.trim().split("\n")[0] ?? "").split(" ");
    return { pid: Number(pid) || 0, id: id ?? "", socket: socket.join(" ") || this.socketPath };
  }

  /** The session of run `runId` named `name`: checked by DISPATCH_RUN_ID, so another run's session of that name is not it. */
  async findRunSession(name: string, runId: string): Promise<SessionLookup> {
    const out = await this.run(["list-panes", "-t", `=${name}:`, "-F", "#{pane_pid} #{session_id} #{pane_dead}"]);
    if (out.code !== 0) return noServer(out.stderr) ? "no-server" : "absent";
    if ((await this.sessionEnv(`=${name}`, "DISPATCH_RUN_ID")) !== runId) return "absent";
    const [pid, id, dead] = (out.stdout.trim().split("\n")[0] ?? "").split(" ");
    return { pid: Number(pid) || 0, id: id ?? "", dead: dead === "1" };
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

  /** Whether a session of exactly this name exists (false too when no server answers). */
  async hasSession(name: string): Promise<boolean> {
    return (await this.run(["has-session", "-t", `=${name}`])).code === 0;
  }

  /** Every variable given with `new-session -e`, in one call (null: no such session now). */
  async sessionVars(target: string): Promise<Map<string, string> | null> {
    const out = await this.run(["show-environment", "-t", target]);
    if (out.code !== 0) return null;
    const vars = new Map<string, string>();
    for (const line of out.stdout.split("\n")) {
      const eq = line.indexOf("=");
      // "-NAME" lines are variables removed from the session.
      if (eq > 0 && !line.startsWith("-")) vars.set(line.slice(0, eq), line.slice(eq + 1));
    }
    return vars;
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

  /** argv that moves the calling tmux client (we run inside tmux) to the session. */
  switchArgv(name: string): string[] {
    return this.argv(["switch-client", "-t", `=${name}`]);
  }
}

/** tmux's words for "nothing listens on that socket". */
function noServer(stderr: string): boolean {
  return /no server running|error connecting to|No such file or directory|Connection refused/.test(stderr);
}

/**
 * A hook's command: one line appended to the run's event file, named by the session's own
 * variable, so no path or user text is ever part of a tmux command. tmux runs `run-shell` with the
 * session's environment; inside tmux's single quotes nothing is expanded, and the line holds no
 * `#` for run-shell's format expansion. One short `printf` is one `write` (O_APPEND): lines from
 * several writers never interleave.
 */
function hookLine(event: string): string {
  return `run-shell -b 'printf "%s\\n" "{\\"tmux\\":\\"${event}\\"}" >> "$${EVENTS_VAR}"'`;
}

/** An argument that ends in `;` ends a tmux command; `\;` is a literal semicolon (tmux(1), "COMMANDS"). */
export function noSeparator(arg: string): string {
  return arg.endsWith(";") ? `${arg.slice(0, -1)}\\;` : arg;
}

/**
 * tmux expands formats (`#{…}`, `#(…)` runs a command) in `-c` and in pipe-pane's command:
 * a path holding `#` must reach it as `##`.
 */
export function noFormats(text: string): string {
  return text.replaceAll("#", "##");
}
