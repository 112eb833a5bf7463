import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { World, waitFor } from "./helpers/world.ts";

describe("one run per {mode, task}", () => {
  for (const mode of ["code-review", "interactive"]) {
    test(`${mode}: 50 concurrent POSTs and CLI dispatches at the same time start exactly one agent`, async () => {
      await using world = new World();
      const server = await world.server();
      const extras = ["--fake-sleep", "30"];
      const posts = Array.from({ length: 50 }, () =>
        server
          .api(`/dispatch/${mode}/TASK-42`, { method: "POST", body: JSON.stringify({ extras }) })
          .then(async (r) => ({ status: r.status, body: await r.json() })),
      );
      const clis = Array.from({ length: 4 }, () => world.cli([mode, "TASK-42", "--detach", "--json", ...extras]));
      const [answers, cliResults] = await Promise.all([Promise.all(posts), Promise.all(clis)]);

      const runIds = new Set<string>(answers.map((a) => a.body.runId));
      for (const r of cliResults) {
        expect(r.code).toBe(0);
        runIds.add(JSON.parse(r.stdout).runId);
      }
      expect(runIds.size).toBe(1);
      const created =
        answers.filter((a) => a.status === 201).length + cliResults.filter((r) => JSON.parse(r.stdout).reused === false).length;
      expect(created).toBe(1);
      for (const a of answers) expect([200, 201]).toContain(a.status);
      expect(answers.filter((a) => a.status === 200).every((a) => a.body.reused === true)).toBe(true);

      const runs = await (await server.api("/runs?task=TASK-42")).json();
      expect(runs.runs.length).toBe(1);
      // Every answer is in, and a launch is written down (its spec, and the launcher's script) before it starts: one spec, one launch.
      expect(readdirSync(join(world.stateDir, "specs")).sort()).toEqual([`${[...runIds][0]}.json`, `${[...runIds][0]}.sh`]);
      await waitFor("the agent", () => world.agentRuns().length >= 1);
      expect(world.agentRuns().length).toBe(1);
      if (mode === "interactive") {
        expect(world.tmux("list-sessions", "-F", "#{session_name}").out.trim().split("\n")).toEqual(["claude-interactive-TASK-42"]);
      }
      const stop = await (await server.api(`/stop/${mode}/TASK-42`, { method: "POST" })).json();
      expect(stop).toEqual({ stopped: true, state: "stopped" });
    });
  }

  test("after a run ends, the next dispatch starts a new one", async () => {
    await using world = new World();
    const first = await world.cli(["code-review", "TASK-42", "--json"]);
    expect(first.code).toBe(0);
    const second = await world.cli(["code-review", "TASK-42", "--json"]);
    expect(second.code).toBe(0);
    const a = JSON.parse(first.stdout.split("\n")[0] as string);
    const b = JSON.parse(second.stdout.split("\n")[0] as string);
    expect(a.runId).not.toBe(b.runId);
    expect(b.reused).toBe(false);
  });
});
