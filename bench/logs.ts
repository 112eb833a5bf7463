/**
 * WS /logs, from a client's side:
 * - throughput: a finished headless run's whole log (the agent printed ~100 MB), against the same
 *   file over a bare Bun WebSocket (bench/bare-server.ts, a child process like Dispatch's server);
 * - latency: a line the agent writes (fed to it through a FIFO it `cat`s) → that line arriving at
 *   a client following the live run's log, for a headless run and a tmux one (its pane's output
 *   reaches the log through pipe-pane).
 */
import { closeSync, constants, openSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type BenchWorld, bareServer, type ServerChild, until } from "./bench-world.ts";
import type { EventFeed } from "./event-feed.ts";
import { type Figure, figure, spread } from "./stats.ts";

const MiB = 1024 * 1024;

/** Receives a socket's every byte until it closes; the time from connecting to the close, in ms. */
function receiveAll(url: string, expected: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    let received = 0;
    ws.onmessage = (e) => {
      received += (e.data as ArrayBuffer).byteLength;
    };
    // Counted, so a socket that closed early cannot pass for a fast one.
    ws.onclose = () =>
      received === expected ? resolve(performance.now() - t) : reject(new Error(`${url}: got ${received} of ${expected} bytes`));
  });
}

/** A text file of about `bytes` (log-like lines), made once: the agent prints it. */
export async function makeBlob(path: string, bytes: number): Promise<void> {
  const line = `{"type":"assistant","message":{"content":[{"type":"text","text":"${"lorem ipsum dolor sit amet ".repeat(3)}"}]}}\n`;
  const block = line.repeat(Math.ceil(MiB / line.length));
  const writer = Bun.file(path).writer();
  for (let written = 0; written < bytes; written += block.length) writer.write(block);
  await writer.end();
}

export async function logThroughput(
  world: BenchWorld,
  server: ServerChild,
  feed: EventFeed,
  blob: string,
  n: number,
  task = "T-2",
): Promise<Figure> {
  const { runId } = await server.dispatch("code-review", task, [`--bench-cat=${blob}`]);
  await feed.ended(runId, 120000);
  // What the engine does once a run ended (the task's changes badge: git) is over before timing.
  await Bun.sleep(1000);
  const log = world.logPath(runId);
  const size = statSync(log).size;
  const bare = await bareServer(world);
  const ours: number[] = [];
  const base: number[] = [];
  const mibps = (ms: number) => size / MiB / (ms / 1000);
  const time = (url: string) => {
    // The client's garbage from the last 100 MiB is not left to fall on the next transfer.
    Bun.gc(true);
    return receiveAll(url, size);
  };
  try {
    for (let i = -1; i < n; i++) {
      const viaDispatch = () => time(server.wsUrl(`/logs/code-review/${task}?run=${runId}`));
      const viaBare = () => time(`ws://127.0.0.1:${bare.port}/file?path=${encodeURIComponent(log)}`);
      // Each goes first in every other round.
      let a: number;
      let b: number;
      if (i % 2) {
        a = await viaDispatch();
        b = await viaBare();
      } else {
        b = await viaBare();
        a = await viaDispatch();
      }
      if (i < 0) continue;
      ours.push(mibps(a));
      base.push(mibps(b));
    }
  } finally {
    await bare.stop();
  }
  return figure({
    name: `WS /logs throughput, a ${(size / MiB).toFixed(0)} MiB log (p99: slowest)`,
    unit: "MiB/s",
    ours: spread(ours, "low"),
    baseline: {
      name: "the same file over a bare Bun WebSocket (256 KiB frames, backpressure), child process",
      measured: spread(base, "low"),
    },
    goal: [{ on: "ratio", min: 0.8 }],
  });
}

/** Opens the FIFO's write end once its reader (the agent's `cat`) has it open: never blocks the loop. */
function openWriter(fifo: string): { fd: number } | null {
  try {
    return { fd: openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENXIO") return null;
    throw error;
  }
}

export async function lineLatency(
  world: BenchWorld,
  server: ServerChild,
  feed: EventFeed,
  kind: "headless" | "tmux",
  n: number,
  task: string,
): Promise<Figure> {
  const mode = kind === "headless" ? "code-review" : "interactive";
  const fifo = join(world.root, `lines-${kind}.fifo`);
  if (Bun.spawnSync(["mkfifo", "-m", "600", fifo]).exitCode !== 0) throw new Error(`mkfifo ${fifo} failed`);
  const { runId } = await server.dispatch(mode, task, [`--bench-cat=${fifo}`]);
  const { fd } = await until("the agent to open its FIFO", () => openWriter(fifo), 15000);

  const ws = new WebSocket(server.wsUrl(`/logs/${mode}/${task}?run=${runId}`));
  ws.binaryType = "arraybuffer";
  const decoder = new TextDecoder();
  let text = "";
  let waiting: { token: string; seen: (at: number) => void } | null = null;
  ws.onmessage = (e) => {
    text += decoder.decode(e.data as ArrayBuffer, { stream: true });
    if (waiting && text.includes(waiting.token)) {
      const w = waiting;
      waiting = null;
      text = "";
      w.seen(performance.now());
    }
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("WS /logs did not open"));
  });

  const times: number[] = [];
  try {
    for (let i = -5; i < n; i++) {
      const token = `bench-line-${String(i + 5).padStart(6, "0")}.`;
      const seen = new Promise<number>((resolve, reject) => {
        waiting = { token, seen: resolve };
        setTimeout(() => reject(new Error(`${token} never reached WS /logs`)), 10000);
      });
      const t = performance.now();
      writeSync(fd, `${token}\n`);
      const at = await seen;
      if (i >= 0) times.push(at - t);
      // Lines at an irregular pace, as an agent prints them.
      await Bun.sleep(5 + Math.random() * 25);
    }
  } finally {
    // The agent's `cat` sees the end of its input and exits: the run ends.
    closeSync(fd);
  }
  await feed.ended(runId);
  ws.close();
  return figure({
    name: `a line the agent writes → WS /logs client (${kind})`,
    unit: "ms",
    ours: spread(times),
    goal: [{ on: "p99", max: 50 }],
  });
}
