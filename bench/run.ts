/**
 * `npm run bench`: each benchmark reports Dispatch's cost as a ratio against a baseline measured
 * in the same run on the same machine (bare Bun.serve, raw file reads, raw tmux), so the numbers
 * mean something on any machine. Nothing here asserts a time; read the ratios.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../src-ext/config.ts";
import { Engine } from "../src-ext/engine.ts";
import { startServer } from "../src-ext/server/server.ts";
import { TaskStore } from "../src-ext/tasks/task-store.ts";
import { FAKE_CLAUDE, taskFile, tempRepo } from "../test/helpers/repo.ts";
import { bundleSizes, listRender } from "./ui.ts";

type Result = { name: string; baseline: string; ours: number; base: number; unit: string };
const results: Result[] = [];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function timeEach(n: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

function record(name: string, baseline: string, ours: number, base: number, unit = "ms") {
  results.push({ name, baseline, ours, base, unit });
}

using repo = tempRepo();
const socket = `dispatch-bench-${process.pid}`;
const env = { ...process.env, DISPATCH_REPO: repo.repo, DISPATCH_CLAUDE_BIN: FAKE_CLAUDE, DISPATCH_TMUX_SOCKET: socket };

// 1. Task store: load 1,000 task files vs reading the same files raw.
mkdirSync(join(repo.repo, "tasks", "many"), { recursive: true });
for (let i = 0; i < 1000; i++)
  writeFileSync(join(repo.repo, "tasks", "many", `T-${i}.md`), taskFile(`T-${i}`, `Task number ${i}`, "body ".repeat(100)));
const dir = join(repo.repo, "tasks", "many");
const raw = await timeEach(7, () => {
  for (const f of readdirSync(dir)) readFileSync(join(dir, f));
});
const store = await timeEach(7, () => new TaskStore(repo.repo, join(repo.repo, "tasks")).load());
record("load 1,000 task files (parse + index)", "raw readFileSync of the same files", store, raw);

// 2. HTTP: GET /status and GET /tasks vs a bare Bun.serve answering JSON.
const engine = await Engine.open(loadConfig(env), { watch: true });
const { info, stop } = startServer(engine, { port: 0 });
const bare = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ ok: true }) });
const auth = { headers: { authorization: `Bearer ${info.token}` } };
for (let i = 0; i < 200; i++) await fetch(`http://127.0.0.1:${bare.port}/`).then((r) => r.text());
const bareMs = await timeEach(2000, () => fetch(`http://127.0.0.1:${bare.port}/`).then((r) => r.text()));
const statusMs = await timeEach(2000, () => fetch(`${info.url}/status/code-review/TASK-42`, auth).then((r) => r.text()));
record("GET /status (auth, validation, from memory)", "bare Bun.serve JSON route", statusMs, bareMs);
const tasksMs = await timeEach(200, () => fetch(`${info.url}/tasks`, auth).then((r) => r.text()));
record("GET /tasks with 1,003 tasks", "bare Bun.serve JSON route", tasksMs, bareMs);

// 3. Interactive dispatch (worktree exists) vs a raw tmux new-session + kill-session.
await engine.dispatch("interactive", "TASK-42", [], "api");
await engine.stop("interactive", "TASK-42");
const tmuxRaw = await timeEach(15, async () => {
  await Bun.spawn(["tmux", "-L", socket, "new-session", "-d", "-s", "raw", "--", "sleep", "60"]).exited;
  await Bun.spawn(["tmux", "-L", socket, "kill-session", "-t", "=raw"]).exited;
});
const dispatchMs = await timeEach(15, async () => {
  await engine.dispatch("interactive", "TASK-42", ["--fake-sleep", "60"], "api");
  await engine.stop("interactive", "TASK-42");
});
record("interactive dispatch + stop (worktree reused)", "raw tmux new-session + kill-session", dispatchMs, tmuxRaw);

// 4. Log streaming: 10 MB over WS /logs vs reading the file.
await engine.dispatch("code-review", "TASK-7", ["--fake-bytes", String(10 * 1024 * 1024)], "api");
await new Promise<void>((resolve) => {
  const off = engine.bus.on("run.ended", ({ run }) => {
    if (run.taskId !== "TASK-7") return;
    off();
    resolve();
  });
});
const logPath = engine.logRun("code-review", "TASK-7").logPath;
const readMs = await timeEach(5, () => readFileSync(logPath));
const logSize = readFileSync(logPath).length;
const wsMs = await timeEach(
  5,
  () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${info.port}/logs/code-review/TASK-7?token=${info.token}`);
      ws.binaryType = "arraybuffer";
      let received = 0;
      ws.onmessage = (e) => {
        received += (e.data as ArrayBuffer).byteLength;
      };
      // Counted, so a socket that closed early cannot pass for a fast one.
      ws.onclose = () => (received === logSize ? resolve() : reject(new Error(`got ${received} of ${logSize} bytes`)));
    }),
);
record("stream a 10 MB log over WS /logs", "readFileSync of the log", wsMs, readMs);

// 5. The UI: bundle size, and navigation to a rendered list of every task.
const sizes = bundleSizes();
const taskCount = engine.listTasks().tasks.length;
for (const r of await listRender(info.url, info.token, taskCount)) results.push(r);

stop();
bare.stop(true);
engine.close();
Bun.spawnSync(["tmux", "-L", socket, "kill-server"]);

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(3));
console.log("\nDispatch benchmarks (medians; ratio = Dispatch / baseline, same run)\n");
for (const r of results) {
  console.log(
    `${r.name}\n  ${fmt(r.ours)} ${r.unit} vs ${fmt(r.base)} ${r.unit} (${r.baseline})  ratio ${(r.ours / r.base).toFixed(2)}x\n`,
  );
}
for (const line of sizes) console.log(line);
process.exit(0);
