/**
 * POST /dispatch, timed by a client of the API until it has its answer:
 * - interactive (the task's worktree exists, no terminal opens): until 201 and `has-session` finds
 *   the session, against a raw `tmux new-session -d` + `has-session` of the same agent in the same
 *   folder on the same tmux server;
 * - headless: until 201, against spawning the same command (the run's own argv, folder,
 *   environment, prompt on stdin and log) as a detached process, by hand.
 * Each round lets the started process boot before the next is timed, and ours and the baseline
 * alternate, so a slow moment of the machine falls on both.
 */
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchWorld, ServerChild } from "./bench-world.ts";
import { until } from "./bench-world.ts";
import type { EventFeed } from "./event-feed.ts";
import { type Figure, figure, spread } from "./stats.ts";

async function run(argv: string[]): Promise<void> {
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  if ((await proc.exited) !== 0) throw new Error(`${argv.join(" ")}: ${await new Response(proc.stderr).text()}`);
}

/** /proc/PID/comm, or null once gone. */
function comm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return null;
  }
}

async function postDispatch(server: ServerChild, mode: string, task: string): Promise<{ runId: string; session: string }> {
  const res = await server.api(`/dispatch/${mode}/${task}`, { method: "POST", body: JSON.stringify({ extras: [] }) });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`POST /dispatch/${mode}/${task}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export async function interactiveDispatch(
  world: BenchWorld,
  server: ServerChild,
  feed: EventFeed,
  n: number,
  task = "T-0",
): Promise<Figure> {
  const tmux = (...args: string[]) => ["tmux", "-L", world.socket, ...args];
  const worktree = join(world.repo.worktrees, task);
  const ours: number[] = [];
  const base: number[] = [];
  // Two untimed rounds first: the first dispatch makes the worktree, and both sides warm up.
  for (let i = -2; i < n; i++) {
    let t = performance.now();
    const { runId, session } = await postDispatch(server, "interactive", task);
    await run(tmux("has-session", "-t", `=${session}`));
    if (i >= 0) ours.push(performance.now() - t);
    await until("the launcher to start", () => world.pidRecord(runId));
    await world.stopRun(server, feed, "interactive", task, runId);

    t = performance.now();
    await run(tmux("new-session", "-d", "-s", "bench-raw", "-c", worktree, "--", world.agent, "--session-id", runId));
    await run(tmux("has-session", "-t", "=bench-raw"));
    if (i >= 0) base.push(performance.now() - t);
    await Bun.sleep(20);
    await run(tmux("kill-session", "-t", "=bench-raw"));
    await Bun.sleep(50);
  }
  return figure({
    name: "POST /dispatch interactive until 201 + session alive",
    unit: "ms",
    ours: spread(ours),
    baseline: { name: "raw `tmux new-session -d` of the same agent + `has-session`, same tmux server", measured: spread(base) },
    goal: [{ on: "ratio", max: 2 }],
    cause:
      "one tmux invocation (the session with its pipe, hooks and options, about the baseline) plus the records a headless dispatch makes before it answers (see the headless row, about 4 ms): 1.9–2.1× across full runs on this 2-core VM.",
  });
}

type Spec = { argv: string[]; cwd: string; env: Record<string, string>; stdin: string | null };

export async function headlessDispatch(world: BenchWorld, server: ServerChild, feed: EventFeed, n: number, task = "T-1"): Promise<Figure> {
  const ours: number[] = [];
  const base: number[] = [];
  const rawLog = join(world.root, "raw-headless.log");
  const prompt = join(world.root, "raw-prompt.txt");
  for (let i = -2; i < n; i++) {
    let t = performance.now();
    const { runId } = await postDispatch(server, "code-review", task);
    if (i >= 0) ours.push(performance.now() - t);
    await until("the agent to start", () => world.pidRecord(runId)?.agentPid);
    await world.stopRun(server, feed, "code-review", task, runId);

    // The same command as that run: its argv, folder, environment and prompt, output to a log.
    const spec = JSON.parse(readFileSync(join(world.stateDir, "specs", `${runId}.json`), "utf8")) as Spec;
    writeFileSync(prompt, spec.stdin ?? "");
    t = performance.now();
    const out = openSync(rawLog, "a", 0o600);
    const input = openSync(prompt, "r");
    const proc = Bun.spawn(spec.argv, {
      cwd: spec.cwd,
      env: { ...world.env, ...spec.env },
      stdin: input,
      stdout: out,
      stderr: out,
      detached: true,
    });
    closeSync(out);
    closeSync(input);
    if (i >= 0) base.push(performance.now() - t);
    await until("the raw agent to start", () => comm(proc.pid) === "sleep");
    process.kill(-proc.pid, "SIGKILL");
    await proc.exited;
    await Bun.sleep(50);
  }
  return figure({
    name: "POST /dispatch headless until 201",
    unit: "ms",
    ours: spread(ours),
    baseline: { name: "Bun.spawn of the run's own command (argv, cwd, env, prompt on stdin, log), detached", measured: spread(base) },
    goal: [{ on: "ratio", max: 3 }],
    cause:
      "a dispatch records the run before it answers, and each record costs more than a bare spawn (probes in the server, medians): the HTTP round trip 0.6 ms (a bare Bun.serve POST 0.53), checks and validation 0.3, two SQLite write transactions (claim, launch) 0.7, the worktree lock 0.3, five small files (settings, log, spec, prompt, launch script) 0.5, the spawn 0.4, and the new child's start time read from /proc twice, 0.8–1.3 (it stalls while the child execs). Without those two reads a prototype answered in 3.5 ms; about 2.1–2.5 ms is the floor of any dispatch that writes its records first, 6–7× a raw spawn.",
  });
}
