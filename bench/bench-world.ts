/**
 * The bench's world: a temp git repository with thousands of task files, a tiny agent, a private
 * tmux server, and the real server as a child process (`dispatch serve --port 0`), so its pid
 * gives CPU and memory. Disposing it ends every process it made, then removes its folder.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { socketPathFor } from "../src-ext/tmux/tmux.ts";
import { CLI, type TempRepo, taskFile, tempRepo } from "../test/helpers/repo.ts";
import { EventFeed } from "./event-feed.ts";

export const BUN = process.execPath;

/** Waits until `check` gives something truthy, looking every `everyMs`. */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30000, everyMs = 5): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

/**
 * The agent every run starts: it ignores what Dispatch passes (`--session-id`, `--settings`, `-p`,
 * the prompt) and only waits, so a live run costs one `sleep` beyond Dispatch's own part (the
 * fake agent of the tests is a 46 MB node process). `--bench-cat=FILE` prints FILE instead (a
 * log of any size, or lines fed through a FIFO as they come).
 */
const AGENT = `#!/bin/sh
for arg do
  case $arg in
    --) break ;;
    --bench-cat=*) exec cat "\${arg#--bench-cat=}" ;;
  esac
done
exec sleep 3600
`;

export type PidRecord = { pid: number; agentPid?: number };

export type ServerChild = {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  pid: number;
  url: string;
  port: number;
  token: string;
  wsUrl(path: string): string;
  api(path: string, init?: RequestInit): Promise<Response>;
  /** POST /dispatch; throws unless 201. */
  dispatch(mode: string, task: string, extras?: string[]): Promise<{ runId: string; session: string }>;
  stop(): Promise<void>;
};

export class BenchWorld {
  readonly repo: TempRepo;
  readonly socket = `dispatch-bench-${process.pid}`;
  readonly agent: string;
  readonly env: Record<string, string>;
  private servers: ServerChild[] = [];

  constructor(readonly taskCount: number) {
    this.repo = tempRepo();
    const body = "Measure what this costs, against the same thing done by hand, in the same run. ".repeat(6);
    // Not committed: each task's worktree would check all of them out (setup time, not measured).
    for (let i = 0; i < taskCount; i++) this.repo.write(`tasks/bench/T-${i}.md`, taskFile(`T-${i}`, `Task number ${i}`, body));
    this.agent = join(this.repo.root, "agent.sh");
    writeFileSync(this.agent, AGENT);
    chmodSync(this.agent, 0o755);
    // Tests and benches run inside tmux must not reach the tmux they run in; no window opens.
    const { TMUX: _, TMUX_PANE: __, DISPLAY: ___, WAYLAND_DISPLAY: ____, ...outside } = process.env as Record<string, string>;
    this.env = {
      ...outside,
      DISPATCH_REPO: this.repo.repo,
      DISPATCH_CLAUDE_BIN: this.agent,
      DISPATCH_TMUX_SOCKET: this.socket,
      DISPATCH_TERMINAL: "none",
      XDG_RUNTIME_DIR: join(this.repo.root, "xdg"),
      XDG_CONFIG_HOME: join(this.repo.root, "config"),
      CLAUDE_CONFIG_DIR: join(this.repo.root, "claude-config"),
    };
  }

  get root(): string {
    return this.repo.root;
  }

  get stateDir(): string {
    return join(this.repo.repo, ".run");
  }

  tmux(...args: string[]): { code: number; out: string } {
    const r = Bun.spawnSync(["tmux", "-L", this.socket, ...args], { stdout: "pipe", stderr: "pipe" });
    return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
  }

  /** `pids/<run>.json`, once the launcher has written it (and, with `agent`, named its agent). */
  pidRecord(runId: string): PidRecord | null {
    try {
      return JSON.parse(readFileSync(join(this.stateDir, "pids", `${runId}.json`), "utf8"));
    } catch {
      return null;
    }
  }

  logPath(runId: string): string {
    return join(this.stateDir, "logs", `${runId}.log`);
  }

  /**
   * Starts `dispatch serve --port 0` and resolves once it printed its address; `ms` is the time
   * from the spawn to that line.
   */
  async serve(): Promise<ServerChild & { ms: number }> {
    const t = performance.now();
    const proc = Bun.spawn([BUN, CLI, "serve", "--port", "0"], {
      cwd: this.repo.repo,
      env: this.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    let log = "";
    void (async () => {
      for await (const chunk of proc.stderr) log = (log + new TextDecoder().decode(chunk)).slice(-20000);
    })();
    const reader = proc.stdout.getReader();
    let out = "";
    let found: RegExpMatchArray | null = null;
    while (!found) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`dispatch serve exited (${await proc.exited}) before serving:\n${log}`);
      out += new TextDecoder().decode(value);
      found = out.match(/(http:\/\/127\.0\.0\.1:(\d+))\/\?token=([0-9a-f]{64})/);
    }
    const ms = performance.now() - t;
    // Keeps reading, so the pipe never fills.
    void (async () => {
      while (!(await reader.read()).done) {}
    })();
    const [, url, port, token] = found as [string, string, string, string];
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
    const server: ServerChild = {
      proc,
      pid: proc.pid,
      url,
      port: Number(port),
      token,
      wsUrl: (path) => `ws://127.0.0.1:${port}${path}${path.includes("?") ? "&" : "?"}token=${token}`,
      api,
      dispatch: async (mode, task, extras = []) => {
        const res = await api(`/dispatch/${mode}/${task}`, { method: "POST", body: JSON.stringify({ extras }) });
        const body = await res.json();
        if (res.status !== 201) throw new Error(`POST /dispatch/${mode}/${task}: ${res.status} ${JSON.stringify(body)}\n${log}`);
        return body;
      },
      stop: async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill("SIGTERM");
        const ended = await Promise.race([proc.exited.then(() => true), Bun.sleep(10000).then(() => false)]);
        if (!ended) {
          proc.kill("SIGKILL");
          await proc.exited;
        }
      },
    };
    this.servers.push(server);
    return { ...server, ms };
  }

  events(server: ServerChild): Promise<EventFeed> {
    return EventFeed.open(server.wsUrl("/events"));
  }

  /** Stops {mode, task} and waits for its run to end (on /events), then lets the engine's after-work settle. */
  async stopRun(server: ServerChild, feed: EventFeed, mode: string, task: string, runId: string, settleMs = 50): Promise<void> {
    const res = await server.api(`/stop/${mode}/${task}`, { method: "POST" });
    if (!res.ok) throw new Error(`POST /stop/${mode}/${task}: ${res.status} ${await res.text()}`);
    await feed.ended(runId);
    await Bun.sleep(settleMs);
  }

  /** Processes of this world still alive: found by their argv or working folder naming its folder. */
  leftovers(): number[] {
    const found: number[] = [];
    for (const entry of readdirSync("/proc")) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        let cwd = "";
        try {
          cwd = readlinkSync(`/proc/${pid}/cwd`);
        } catch {}
        if (cmdline.includes(this.root) || cwd.startsWith(this.root)) found.push(pid);
      } catch {
        // Gone meanwhile.
      }
    }
    return found;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const server of this.servers) await server.stop();
    this.tmux("kill-server");
    // Launchers and agents, pipe-pane's cats, timeout sleeps, the baselines' shells: all ours.
    for (let round = 0; round < 30; round++) {
      const left = this.leftovers();
      if (left.length === 0) break;
      for (const pid of left) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      await Bun.sleep(100);
    }
    rmSync(socketPathFor(this.socket, process.env), { force: true });
    if (existsSync(this.root)) rmSync(this.root, { recursive: true, force: true });
  }
}

export type BareServer = { port: number; url: string; pid: number; stop(): Promise<void> };

/** Starts bench/bare-server.ts (the baselines' bare Bun.serve) in the world's folder, answering `bodies`. */
export async function bareServer(world: BenchWorld, bodies: Record<string, string> = {}): Promise<BareServer> {
  const file = join(world.root, `bare-${performance.now().toFixed(0)}.json`);
  writeFileSync(file, JSON.stringify(bodies));
  const proc = Bun.spawn([BUN, join(import.meta.dir, "bare-server.ts"), file], { cwd: world.root, stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the bare server exited before printing its port");
    out += new TextDecoder().decode(value);
  }
  const port = Number(out.trim());
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    stop: async () => {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}
