/**
 * `npm run bench`: each benchmark reports Dispatch's cost as a ratio against a baseline measured
 * in the same run on the same machine (bare Bun.serve, raw file reads, raw tmux), so the numbers
 * mean something on any machine. Nothing here asserts a time; read the ratios.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../src-ext/config.ts";
import { Engine } from "../src-ext/engine.ts";
import { startServer } from "../src-ext/server/server.ts";
import { TaskStore } from "../src-ext/tasks/task-store.ts";
import { FAKE_CLAUDE, taskFile, tempRepo } from "../test/helpers/repo.ts";
import { hookCostPerTurn, hookToEvents } from "./hooks.ts";
import { paneDenyToWaiting } from "./pane-deny.ts";
import { bundleSizes, listRender } from "./ui.ts";

type Result = { name: string; baseline: string; ours: number; base: number; unit: string };
const results: Result[] = [];
const notes: string[] = [];

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

// No windows: every interactive dispatch finds no display, as over ssh (benchmark 3b measures that path).
delete process.env.DISPLAY;
delete process.env.WAYLAND_DISPLAY;
delete process.env.DISPATCH_TERMINAL;

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

// 3. Interactive dispatch (worktree exists) vs a raw tmux new-session + kill-session. A session
// that stays keeps the tmux server up, as the user's own tmux server is: otherwise every dispatch
// would also pay for starting a server (~9 ms here), and so would the baseline.
await Bun.spawn(["tmux", "-L", socket, "new-session", "-d", "-s", "keeper", "--", "sleep", "600"]).exited;
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

// 3b. An interactive dispatch from the API where a terminal is installed but there is no display
// (ssh): it must answer as soon as a headless dispatch does, saying why no window opened.
// (The display variables are cleared for the whole run, above: a benchmark opens no windows.)
async function answerMs(mode: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    const t = performance.now();
    const res = await fetch(`${info.url}/dispatch/${mode}/TASK-7`, {
      method: "POST",
      headers: auth.headers,
      body: JSON.stringify({ extras: ["--fake-sleep", "60"] }),
    });
    const body = await res.json();
    times.push(performance.now() - t);
    if (res.status !== 201) throw new Error(`dispatch ${mode}: ${JSON.stringify(body)}`);
    if (mode === "interactive" && body.terminal?.action !== "none") throw new Error(`expected no window: ${JSON.stringify(body.terminal)}`);
    // The launcher boots (~40 ms of CPU on a 2-core machine) before the next dispatch is timed,
    // so neither kind pays for the previous one's start-up.
    while (!existsSync(join(engine.config.stateDir, "pids", `${body.runId}.json`))) await Bun.sleep(5);
    await engine.stop(mode, "TASK-7");
  }
  return median(times);
}
const headlessAnswer = await answerMs("code-review");
const noDisplayAnswer = await answerMs("interactive");
record(
  "interactive dispatch via the API, no display: time to answer",
  "headless dispatch via the API: time to answer",
  noDisplayAnswer,
  headlessAnswer,
);

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

// 5. Hooks: an event from a hook to the board, and what the hooks add to a turn of the real CLI.
const hooks = await hookToEvents(engine, info.url, info.token);
record("hook start → run.activity on WS /events, median", "the same hook → a bare fs.watch, median", hooks.ours.median, hooks.base.median);
record("hook start → run.activity on WS /events, p99", "the same hook → a bare fs.watch, p99", hooks.ours.p99, hooks.base.p99);
const turnCost = await hookCostPerTurn();
if (typeof turnCost === "string") notes.push(`claude -p turn with hooks: not measured: ${turnCost}`);
else record("claude -p turn with a tool call, Dispatch's hooks on", "the same turn without hooks", turnCost.ours, turnCost.base);
const paneDeny = await paneDenyToWaiting();
if (typeof paneDeny === "string") notes.push(`denied in the pane → waiting: not measured: ${paneDeny}`);
else {
  record(
    "Esc in the pane on a request → run.activity waiting (goal ≤ 1 s), median",
    "Esc → Claude's registry file changes, median",
    paneDeny.ours.median,
    paneDeny.base.median,
  );
  record(
    "Esc in the pane on a request → run.activity waiting (goal ≤ 1 s), p99",
    "Esc → Claude's registry file changes, p99",
    paneDeny.ours.p99,
    paneDeny.base.p99,
  );
}

// 6. The UI: bundle size, and navigation to a rendered list of every task.
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
for (const line of [...notes, ...sizes]) console.log(line);
process.exit(0);
