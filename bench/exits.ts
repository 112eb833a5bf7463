/**
 * Agent exit → `run.ended` on WS /events: the agent (a `sleep`) gets SIGTERM from the bench, which
 * times from that signal to the event's arrival at its /events client. A tmux run's launcher is
 * the pane's process with the agent as its child; a headless run's launcher names its agent in
 * its pid record.
 */
import { readFileSync } from "node:fs";
import { type BenchWorld, type ServerChild, until } from "./bench-world.ts";
import type { EventFeed } from "./event-feed.ts";
import { type Figure, figure, spread } from "./stats.ts";

function comm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return null;
  }
}

/** The run's agent once it has become the `sleep` it execs (null before). */
export function agentOf(world: BenchWorld, runId: string, headless: boolean): number | null {
  const record = world.pidRecord(runId);
  if (!record) return null;
  if (headless) return record.agentPid && comm(record.agentPid) === "sleep" ? record.agentPid : null;
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${record.pid}/task/${record.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return null;
  }
  return children.find((pid) => comm(pid) === "sleep") ?? null;
}

export async function exitToEnded(
  world: BenchWorld,
  server: ServerChild,
  feed: EventFeed,
  kind: "headless" | "tmux",
  n: number,
  task: string,
): Promise<Figure> {
  const headless = kind === "headless";
  const mode = headless ? "code-review" : "interactive";
  const times: number[] = [];
  for (let i = -2; i < n; i++) {
    const { runId } = await server.dispatch(mode, task);
    const agent = await until("the agent to start", () => agentOf(world, runId, headless));
    // The engine has recorded the run as running (201 came after that); its start-up events settle.
    await Bun.sleep(30);
    const t = performance.now();
    process.kill(agent, "SIGTERM");
    const { at } = await feed.ended(runId, 10000);
    if (i >= 0) times.push(at - t);
    await Bun.sleep(50);
  }
  return figure({
    name: `agent exit → run.ended on /events (${kind})`,
    unit: "ms",
    ours: spread(times),
    goal: [{ on: "p99", max: 250 }],
  });
}
