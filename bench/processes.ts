/**
 * What a new process costs, from spawn to the answer:
 * - a cold start of `dispatch serve` with thousands of task files until GET /tasks answers, against
 *   a new Bun process that reads the same files raw (readdir + readFileSync each) and exits;
 * - `dispatch status` while the repository's server runs (answered from the state folder alone,
 *   cli/quick-status.ts), against `bun -e 0`.
 * Ours and the baseline alternate, after one untimed round of each (the files in the page cache).
 */
import { join } from "node:path";
import { CLI } from "../test/helpers/repo.ts";
import { type BenchWorld, BUN } from "./bench-world.ts";
import { type Figure, figure, spread } from "./stats.ts";

async function exitOf(argv: string[], world: BenchWorld, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(argv, { cwd: world.repo.repo, env: { ...world.env, ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${argv.join(" ")} exited with ${code}: ${err}`);
  return { code, out };
}

const READ_RAW = `const fs = require("node:fs");
const dir = process.env.BENCH_TASKS;
let n = 0;
for (const f of fs.readdirSync(dir, { recursive: true })) if (String(f).endsWith(".md")) { fs.readFileSync(dir + "/" + f, "utf8"); n++; }
if (n === 0) process.exit(3);`;

export async function coldStart(world: BenchWorld, n: number): Promise<Figure> {
  const ours: number[] = [];
  const listening: number[] = [];
  const base: number[] = [];
  let tasks = 0;
  for (let i = -1; i < n; i++) {
    let t = performance.now();
    const server = await world.serve();
    const res = await server.api("/tasks");
    if (res.status !== 200) throw new Error(`cold start: GET /tasks answered ${res.status}`);
    const body = await res.text();
    if (i >= 0) {
      ours.push(performance.now() - t);
      listening.push(server.ms);
    }
    tasks = (JSON.parse(body) as { tasks: unknown[] }).tasks.length;
    await server.stop();

    t = performance.now();
    await exitOf([BUN, "-e", READ_RAW], world, { BENCH_TASKS: join(world.repo.repo, "tasks") });
    if (i >= 0) base.push(performance.now() - t);
  }
  return figure({
    name: `cold start, ${tasks} task files, until GET /tasks answers`,
    unit: "ms",
    ours: spread(ours),
    baseline: { name: "new Bun process reading the same files raw (readdir + readFileSync) and exiting", measured: spread(base) },
    goal: [{ on: "ratio", max: 3 }],
    cause:
      "the server does more than read: Bun's start 15 ms and loading the server's 200 modules 48 ms (zod 16); the scan of the task files about 110 ms (each one lstat'ed, opened without following links, checked where it landed through /proc/self/fd — 21–26 ms, the guard against a folder swapped for a link mid-scan — and its front matter parsed as TOML, 30 ms); SQLite, modes, watchers and the first /tasks (its JSON 11 ms) the rest. Prototypes of a bytecode bundle, a hand-written front-matter parser and no landing check reached 4.0× together, not 3×.",
    extra: { untilListeningMs: spread(listening).median },
    note: "untilListeningMs: spawn → `dispatch serve` printed its address (the rest is the first GET /tasks)",
  });
}

export async function cliStatus(world: BenchWorld, n: number, liveRuns: number): Promise<Figure> {
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = -2; i < n; i++) {
    let t = performance.now();
    const { out } = await exitOf([BUN, CLI, "status"], world);
    if (i >= 0) ours.push(performance.now() - t);
    if (!out.includes("running")) throw new Error(`dispatch status listed no running run:\n${out}`);
    t = performance.now();
    await exitOf([BUN, "-e", "0"], world);
    if (i >= 0) base.push(performance.now() - t);
  }
  return figure({
    name: `\`dispatch status\` wall time, server running, ${liveRuns} live runs`,
    unit: "ms",
    ours: spread(ours),
    baseline: { name: "`bun -e 0`", measured: spread(base) },
    goal: [{ on: "ratio", max: 2 }],
    cause:
      "beyond Bun's own start and exit (4.2–5 ms here), measured inside: cli.ts 0.9 ms (it imports nothing up front); the prebuilt quick path with bun:sqlite 1.7 and the check that its sources are as built 0.3; finding the repository and checking the server's record 0.5; SQLite opening the database and reading 50 rows 1.4; formatting them 0.7–1.1; and about 2 ms more at exit with SQLite loaded (SQLite alone, opened and read, costs 2.1 ms of wall time over an empty script). It went from 19 to 12–14 ms; a 2× budget is one more Bun start.",
  });
}
