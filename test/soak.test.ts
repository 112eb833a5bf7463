// Dispatch and stop, over and over: nothing leaks (no process, file descriptor, tmux session or
// file is left behind) and the state folder stays bounded by retention (issue 13). `npm test`
// runs a few, to keep CI short; `npm test --long` (npm hands `--long` to the tests as
// npm_config_long) or `npm run soak` (this file alone) runs 1,000.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { git } from "./helpers/repo.ts";
import { trustRepository, World, waitFor } from "./helpers/world.ts";

const CYCLES = Number(process.env.DISPATCH_SOAK_CYCLES || (process.env.npm_config_long ? 1000 : 12));

/** Open file descriptors of a process, by what they point at. */
function fds(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return "gone";
    }
  });
}

/** Processes whose command line names this world's folder (launchers, agents, their sleeps). */
function processesOf(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (text.includes(root) && !text.includes(" serve --port")) found.push(`${entry} ${text}`);
    } catch {}
  }
  return found;
}

describe("soak", () => {
  test(
    `${CYCLES} cycles of a headless run and an interactive run started and stopped: nothing leaks, .run stays bounded`,
    async () => {
      await using world = new World();
      world.repo.write("dispatch.config.toml", "[retention]\nruns = 3\n");
      git(world.repo.repo, "add", "-A");
      git(world.repo.repo, "commit", "-q", "-m", "keep three runs");
      const server = await world.server();
      await trustRepository(server);
      const cycle = async () => {
        await server.api("/dispatch/code-review/TASK-42", { method: "POST" });
        await server.api("/dispatch/interactive/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "60"] }) });
        await server.ended("code-review", "TASK-42");
        await server.api("/stop/interactive/TASK-42", { method: "POST" });
      };
      // A first cycle opens what stays open (the database, watchers, tmux's control connection).
      await cycle();
      const before = fds(server.proc.pid).length;
      for (let i = 1; i < CYCLES; i++) await cycle();

      expect((await (await server.api("/runs?task=TASK-42")).json()).runs).toHaveLength(3);
      for (const dir of ["logs", "exits", "specs", "pids", "events", "prompts", "agents"]) {
        const ids = new Set(readdirSync(join(world.stateDir, dir)).map((f) => f.split(".")[0]));
        expect({ dir, runs: ids.size <= 3 }).toEqual({ dir, runs: true });
      }
      expect(world.tmux("list-sessions").out).not.toContain("claude-");
      await waitFor("the runs' processes to be gone", () => processesOf(world.repo.root).length === 0);
      // Descriptors: the same as after the first cycle, give or take what is in flight (a watcher's re-arm).
      if (process.env.DISPATCH_SOAK_SHOW)
        console.error(`fds: ${before} after the first cycle, ${fds(server.proc.pid).length} after the last`);
      expect(fds(server.proc.pid).length).toBeLessThanOrEqual(before + 4);
    },
    60_000 + CYCLES * 3_000,
  );
});
