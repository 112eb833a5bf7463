/**
 * `npm run bench` (issue 13): every figure a median and a p99, against a baseline measured in the
 * same run on the same machine wherever one exists (raw tmux, a raw spawn, a bare Bun.serve
 * answering the same bytes, raw file reads, `bun -e 0`, `sh -c`), printed as a table and written
 * to bench/results.json. Nothing asserts: a goal missed is `ok: false` with its gap.
 * `npm run bench -- --quick` is the same with fewer rounds and a shorter idle (about a minute).
 *
 * One world (bench-world.ts) holds the repository with 5,000 task files and the real server as a
 * child process; the real Claude Code CLI's figures come last, in worlds of their own.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { UI_DIR } from "../src-ext/server/static-ui.ts";
import { ROOT } from "../test/helpers/repo.ts";
import { answers } from "./answers.ts";
import { BenchWorld } from "./bench-world.ts";
import { headlessDispatch, interactiveDispatch } from "./dispatch.ts";
import { exitToEnded } from "./exits.ts";
import { idleServer, perRunMemory, startLiveRuns, tmuxServerRss } from "./footprint.ts";
import { hookCostPerTurn, hookToEvents } from "./hooks.ts";
import { lineLatency, logThroughput, makeBlob } from "./logs.ts";
import { paneDenyToWaiting } from "./pane-deny.ts";
import { cliStatus, coldStart } from "./processes.ts";
import { type Figure, printTable, writeResults } from "./stats.ts";
import { bundleSize, listRender } from "./ui.ts";

/** Rounds of each figure (timed ones; each after an untimed warm-up), and what they run against. */
const FULL = {
  tasks: 5000,
  live: 200,
  logMiB: 100,
  idleSeconds: 30,
  cold: 20,
  dispatch: 100,
  stream: 40,
  lines: 300,
  exits: 100,
  hooks: 300,
  ui: 15,
  status: 5000,
  list: 300,
  cli: 100,
  turns: 10,
  esc: 8,
};
const QUICK: typeof FULL = {
  ...FULL,
  idleSeconds: 10,
  cold: 3,
  dispatch: 15,
  stream: 20,
  lines: 60,
  exits: 15,
  hooks: 40,
  ui: 3,
  status: 1000,
  list: 50,
  cli: 10,
  turns: 2,
  esc: 2,
};
const quick = process.argv.includes("--quick");
const size = quick ? QUICK : FULL;

// No windows: an interactive dispatch finds no display, as over ssh.
delete process.env.DISPLAY;
delete process.env.WAYLAND_DISPLAY;
delete process.env.DISPATCH_TERMINAL;

const began = performance.now();
const progress = (what: string) => console.error(`[${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${what}`);
const figures: Figure[] = [];
const add = (...f: Figure[]) => figures.push(...f);

/** The UI is measured as built: build it when a source is newer than the build. */
function ensureUiBuilt(): void {
  const index = join(UI_DIR, "index.html");
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, String(f))).mtimeMs));
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, "src-ui"))) return;
  progress("building the UI (vite build)");
  const built = Bun.spawnSync([join(ROOT, "node_modules", ".bin", "vite"), "build", "--logLevel", "warn"], {
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (built.exitCode !== 0) throw new Error("vite build failed: the UI figures need resources/app (npm run build:ui)");
}

/** The CLI's quick path is measured as `npm install` bundles it (scripts/bundle-quick-cli.ts), from the sources as they are. */
function bundleQuickCli(): void {
  const built = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "bundle-quick-cli.ts")], {
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (built.exitCode !== 0) throw new Error("scripts/bundle-quick-cli.ts failed");
}

let world: BenchWorld | null = null;
// Ctrl-C still ends every process the bench started and removes its folder.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await world?.[Symbol.asyncDispose]();
    process.exit(130);
  });
}

ensureUiBuilt();
bundleQuickCli();
progress(`${quick ? "quick" : "full"} run: writing ${size.tasks} task files`);
world = new BenchWorld(size.tasks);
try {
  const w = world;
  add(await coldStart(w, size.cold));
  progress("cold start done");

  const server = await w.serve();
  const feed = await w.events(server);
  // A session that stays keeps the tmux server up, as the user's own one is: otherwise each
  // dispatch, and each baseline, would also pay for starting a tmux server.
  w.tmux("new-session", "-d", "-s", "bench-keeper", "-c", w.root, "--", "sleep", "3600");

  add(await interactiveDispatch(w, server, feed, size.dispatch));
  add(await headlessDispatch(w, server, feed, size.dispatch));
  progress("dispatch done");

  const blob = join(w.root, "blob.txt");
  await makeBlob(blob, size.logMiB * 1024 * 1024);
  add(await logThroughput(w, server, feed, blob, size.stream));
  add(await lineLatency(w, server, feed, "headless", size.lines, "T-3"));
  add(await lineLatency(w, server, feed, "tmux", size.lines, "T-4"));
  progress("logs done");

  add(await exitToEnded(w, server, feed, "headless", size.exits, "T-5"));
  add(await exitToEnded(w, server, feed, "tmux", size.exits, "T-6"));
  add(await hookToEvents(w, server, feed, size.hooks, "T-7"));
  progress("exits and hooks done");

  add(bundleSize());
  const taskCount = ((await (await server.api("/tasks")).json()) as { tasks: unknown[] }).tasks.length;
  add(await listRender(server.url, server.token, taskCount, size.ui));
  progress("UI done");

  const tmuxBefore = tmuxServerRss(w);
  const runs = await startLiveRuns(w, server, size.live, 100);
  const tmuxGrowth = tmuxServerRss(w) - tmuxBefore;
  progress(`${runs.length} live runs started`);
  add(...(await answers(w, server, runs, { status: size.status, tasks: size.list })));
  add(await cliStatus(w, size.cli, runs.length));
  add(...(await perRunMemory(w, runs, tmuxGrowth)));
  progress("answers, CLI and memory done");
  add(...(await idleServer(server, runs.length, 5, size.idleSeconds)));
  progress("idle done");
  feed.close();
} finally {
  progress("ending every run and process of the bench");
  await world[Symbol.asyncDispose]();
  world = null;
}

// The real Claude Code CLI against the loopback stand-in, in worlds of their own.
add(await hookCostPerTurn(size.turns));
add(await paneDenyToWaiting(size.esc));
progress("claude done");

const title = `Dispatch benchmarks (${quick ? "quick" : "full"}; medians and p99; ratio = Dispatch / baseline, medians, same run), ${((performance.now() - began) / 1000).toFixed(0)} s`;
console.log(`\n${printTable(figures, title)}`);
writeResults(join(import.meta.dir, "results.json"), figures);
console.log(`\nWritten to bench/results.json (${figures.filter((f) => f.ok).length} of ${figures.length} goals met).`);
process.exit(0);
