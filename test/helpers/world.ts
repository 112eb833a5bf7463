import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { socketPathFor } from "../../src-ext/tmux/tmux.ts";
import { CLI, FAKE_CLAUDE, type TempRepo, tempRepo } from "./repo.ts";
import { type EventLog, followEvents } from "./ws.ts";

/** Waits until `check` returns something truthy; fails with `what` after the deadline. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await Bun.sleep(25);
  }
}

/** Trusts what the repository brings, as shown now (GET /trust, then POST its fingerprint). */
export async function trustRepository(server: ServerHandle): Promise<void> {
  const shown = (await (await server.api("/trust")).json()).fingerprint;
  const ok = await server.api("/trust", { method: "POST", body: JSON.stringify({ fingerprint: shown }) });
  if (ok.status !== 200) throw new Error(`trust: ${ok.status} ${await ok.text()}`);
}

export type ServerHandle = {
  proc: Subprocess;
  url: string;
  port: number;
  token: string;
  /** fetch with the bearer token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** What the server has written to its log (stderr) so far. */
  log(): string;
  /** Follows WS /events (from its hello on). */
  events(): Promise<EventLog>;
  /** Waits until {mode, task} has no live run; resolves with its status. */
  ended(mode: string, id: string, timeoutMs?: number): Promise<Record<string, unknown> & { state: string }>;
  stop(): Promise<void>;
};

/**
 * One test world: a temp git repo with tasks, a private tmux server (`-L`), the fake agent,
 * and helpers to run the real server and CLI as child processes. Disposing it ends everything.
 */
export class World {
  readonly repo: TempRepo;
  readonly socket = `dispatch-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly record: string;
  private spawned: Subprocess[] = [];

  constructor(options: { commit?: boolean; git?: boolean } = {}) {
    this.repo = tempRepo(options);
    this.record = join(this.repo.root, "fake-claude.jsonl");
  }

  get stateDir(): string {
    return join(this.repo.repo, ".run");
  }

  /** The private tmux server's socket path, as Dispatch records it with each run. */
  get socketPath(): string {
    return socketPathFor(this.socket, { TMUX_TMPDIR: process.env.TMUX_TMPDIR });
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    // Tests run inside tmux must not reach the tmux they run in.
    const { TMUX: _, TMUX_PANE: __, ...outside } = process.env as Record<string, string>;
    return {
      ...outside,
      DISPATCH_REPO: this.repo.repo,
      DISPATCH_CLAUDE_BIN: FAKE_CLAUDE,
      DISPATCH_TMUX_SOCKET: this.socket,
      DISPATCH_TERMINAL: "none",
      FAKE_CLAUDE_RECORD: this.record,
      // Where launchers put exits that the state folder cannot take: private to this world.
      XDG_RUNTIME_DIR: join(this.repo.root, "xdg"),
      // The user's trust decisions: this world's own.
      XDG_CONFIG_HOME: join(this.repo.root, "config"),
      // Claude Code's own folder (its session registry): this world's own.
      CLAUDE_CONFIG_DIR: join(this.repo.root, "claude-config"),
      ...extra,
    };
  }

  /** Lines the fake agent recorded, one per agent process started. */
  agentRuns(): Array<{
    argv: string[];
    /** Claude Code's per-run setup Dispatch gave it (kept out of `argv`). */
    setup: { sessionId?: string; resume?: string; name?: string; settings?: string };
    cwd: string;
    tty: boolean;
    prompt: string;
    pid: number;
    grandchild: number | null;
    env: Record<string, string>;
  }> {
    if (!existsSync(this.record)) return [];
    return readFileSync(this.record, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }

  tmux(...args: string[]): { code: number; out: string } {
    const r = Bun.spawnSync(["tmux", "-L", this.socket, ...args], { stdout: "pipe", stderr: "pipe" });
    return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
  }

  /** Runs the CLI to completion. */
  async cli(
    args: string[],
    options: { env?: Record<string, string>; stdin?: string } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const proc = Bun.spawn([process.execPath, CLI, ...args], {
      cwd: this.repo.repo,
      env: this.env(options.env),
      stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, stdout, stderr };
  }

  /** Starts `dispatch serve --port 0` and waits for `.run/server.json` to name it. */
  async server(env: Record<string, string> = {}, port = 0): Promise<ServerHandle> {
    const proc = Bun.spawn([process.execPath, CLI, "serve", "--port", String(port)], {
      cwd: this.repo.repo,
      env: this.env(env),
      stdout: "pipe",
      stderr: "pipe",
    });
    // The server's log: kept for the test to read, and passed on so a failure shows it.
    let log = "";
    void (async () => {
      for await (const chunk of proc.stderr) {
        log += new TextDecoder().decode(chunk);
        process.stderr.write(chunk);
      }
    })();
    // Ended by dispose even if it never answers.
    this.spawned.push(proc);
    const file = join(env.DISPATCH_STATE_DIR ?? this.stateDir, "server.json");
    const info = await waitFor("server.json", () => {
      if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
      if (!existsSync(file)) return null;
      const parsed = JSON.parse(readFileSync(file, "utf8"));
      return parsed.pid === proc.pid ? parsed : null;
    });
    const api: ServerHandle["api"] = (path, init = {}) =>
      fetch(`${info.url}${path}`, { ...init, headers: { authorization: `Bearer ${info.token}`, ...(init.headers ?? {}) } });
    const handle: ServerHandle = {
      proc,
      url: info.url,
      port: info.port,
      token: info.token,
      api,
      log: () => log,
      events: () => followEvents(`ws://127.0.0.1:${info.port}/events?token=${info.token}`),
      ended: (mode, id, timeoutMs) =>
        waitFor(
          `${mode} on ${id} to end`,
          async () => {
            const s = await (await api(`/status/${mode}/${id}`)).json();
            return s.state !== "running" && s;
          },
          timeoutMs,
        ),
      stop: async () => {
        proc.kill("SIGTERM");
        await proc.exited;
      },
    };
    return handle;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const proc of this.spawned) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    }
    // End every agent a test left running (headless jobs are their own process groups).
    for (const run of this.agentRuns()) {
      for (const pid of [run.pid, run.grandchild]) {
        if (pid) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {}
        }
      }
    }
    this.tmux("kill-server");
    this.repo[Symbol.dispose]();
  }
}
