import { constants } from "node:os";

/**
 * The only file that starts processes. Every caller passes an argv array: never a shell, so no
 * user or repository string is ever parsed as a command line. Tests inject their own `Exec` where
 * they want to see the exact argv (tmux).
 */

export type ExecResult = { code: number; stdout: string; stderr: string };
export type ExecOptions = {
  cwd?: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** Ends the helper early (SIGTERM); what it printed until then is still returned. */
  signal?: AbortSignal;
};
export type Exec = (argv: string[], options?: ExecOptions) => Promise<ExecResult>;

/** Runs a short helper (git, tmux, xdotool) to completion and captures its output. */
export const exec: Exec = async (argv, options = {}) => {
  const proc = Bun.spawn(argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
    signal: options.signal,
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
};

/**
 * Runs a helper whose output comes in steps (notify-send prints an id at once, an action much
 * later): `lines` yields each stdout line as it comes; `kill` ends it.
 */
export function execLines(
  argv: string[],
  options: { env?: Record<string, string | undefined> } = {},
): {
  lines: AsyncGenerator<string>;
  exited: Promise<number>;
  kill(): void;
} {
  const proc = Bun.spawn(argv, { env: options.env ?? process.env, stdin: "ignore", stdout: "pipe", stderr: "ignore" });
  async function* lines(): AsyncGenerator<string> {
    let buffer = "";
    for await (const chunk of proc.stdout) {
      buffer += new TextDecoder().decode(chunk);
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        yield buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
      }
    }
    if (buffer) yield buffer;
  }
  return { lines: lines(), exited: proc.exited, kill: () => proc.kill("SIGTERM") };
}

/** Runs a short helper to completion, synchronously: for start-up checks that must come before anything else. */
export function execSync(argv: string[], options: { cwd?: string } = {}): ExecResult {
  const result = Bun.spawnSync(argv, { cwd: options.cwd, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** How a child ended: its code, or 128 + the signal's number when a signal ended it (as a shell reports it). */
export type Ended = { code: number; signal: string | null };

export type Child = { pid: number; exited: Promise<Ended>; kill(signal: NodeJS.Signals): void };

type Stdio = "inherit" | "ignore" | number;

export type SpawnOptions = {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Bytes to write to its stdin, or what stdin is. */
  stdin?: Stdio | Uint8Array;
  stdout?: Stdio;
  /** `capture` keeps the last bytes of stderr for the `exited` report (a terminal's own error). */
  stderr?: Stdio | "capture";
  /** Leads a process group (and session) of its own: it outlives us, and a stop ends the whole group. */
  detached?: boolean;
};

/** Kept so that Bun reaps the children this process started and does not wait for them on exit. */
const children = new Set<ReturnType<typeof Bun.spawn>>();

/** Starts a long-lived child. `exited` resolves when it ends; captured stderr rides along on failure. */
export function spawnChild(argv: string[], options: SpawnOptions = {}): Child & { stderrText(): Promise<string> } {
  const capture = options.stderr === "capture";
  const proc = Bun.spawn(argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdin: options.stdin ?? "ignore",
    stdout: options.stdout ?? "ignore",
    stderr: options.stderr === "capture" ? "pipe" : (options.stderr ?? "ignore"),
    detached: options.detached ?? false,
  });
  children.add(proc);
  const stderr = capture && proc.stderr instanceof ReadableStream ? new Response(proc.stderr).text() : Promise.resolve("");
  const exited = proc.exited.then((): Ended => {
    children.delete(proc);
    const signal = proc.signalCode ? String(proc.signalCode) : null;
    const signo = signal ? ((constants.signals as Record<string, number>)[signal] ?? 0) : 0;
    return { code: proc.exitCode ?? 128 + signo, signal };
  });
  if (options.detached) proc.unref();
  return { pid: proc.pid, exited, kill: (signal) => proc.kill(signal), stderrText: () => stderr };
}

/** Runs a program on our own terminal (tmux attach, the desktop runtime) and resolves with its exit code. */
export async function runForeground(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<number> {
  const child = spawnChild(argv, { ...options, stdin: "inherit", stdout: "inherit", stderr: "inherit" });
  return (await child.exited).code;
}
