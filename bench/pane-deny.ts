/**
 * A permission request denied in the pane (Esc) fires no hook (FACTS.md): Dispatch learns it from
 * Claude Code's session registry (`sessions/<pid>.json`, rewritten with `status: idle`). Measured
 * with the real CLI against the stand-in: Esc sent to the pane → `run.activity` waiting on WS
 * /events, against Esc → the registry file changing under a bare fs.watch (Claude's own part).
 * Issue 11's goal: within 1 s.
 */
import { watch } from "node:fs";
import { join } from "node:path";
import { CLAUDE, realClaudeServer, stopAll } from "../test/helpers/real-claude.ts";
import { startStandin } from "../test/helpers/standin.ts";
import { type ServerHandle, World, waitFor } from "../test/helpers/world.ts";
import { type Figure, figure, notMeasured, spread } from "./stats.ts";

const PANE = "=claude-interactive-TASK-42:";

export async function paneDenyToWaiting(n: number): Promise<Figure> {
  const name = "Esc in the pane on a request → run.activity waiting";
  if (!(await Bun.file(CLAUDE).exists())) return notMeasured(name, "ms", "p99 ≤ 1000 ms", `no Claude Code CLI at ${CLAUDE} (npm install)`);
  await using standin = await startStandin();
  await using world = new World();
  let server: ServerHandle | undefined;
  try {
    server = (await realClaudeServer(world, standin)).server;
    const events = await server.events();
    const screen = () => world.tmux("capture-pane", "-p", "-t", PANE).out;
    const type = (text: string) => {
      world.tmux("send-keys", "-t", PANE, "-l", text);
      world.tmux("send-keys", "-t", PANE, "Enter");
    };
    const reaches = (activity: string, from: number) =>
      events.next(
        `activity ${activity}`,
        (m) => m.type === "run.activity" && events.messages.indexOf(m) >= from && (m.run as { activity?: string }).activity === activity,
        45000,
      );
    await server.api("/dispatch/interactive/TASK-42", {
      method: "POST",
      body: JSON.stringify({ extras: ["--permission-mode", "manual"] }),
    });
    await reaches("waiting", 0);
    const registry = join(world.env().CLAUDE_CONFIG_DIR as string, "sessions");
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < n; i++) {
      const mark = events.messages.length;
      type(`USE_BASH touch never-${i}`);
      await reaches("needs-approval", mark);
      await waitFor("the permission dialog", () => /Do you want to proceed\?/.test(screen()), 30000);
      let changed = 0;
      const watcher = watch(registry, () => {
        changed ||= performance.now();
      });
      const after = events.messages.length;
      const t = performance.now();
      world.tmux("send-keys", "-t", PANE, "Escape");
      await reaches("waiting", after);
      ours.push(performance.now() - t);
      await waitFor("the registry to change", () => changed > 0);
      base.push(changed - t);
      watcher.close();
    }
    return figure({
      name,
      unit: "ms",
      ours: spread(ours),
      baseline: { name: "Esc → Claude's session registry file changes (Claude's own part)", measured: spread(base) },
      goal: [{ on: "p99", max: 1000 }],
    });
  } finally {
    await stopAll(server);
  }
}
