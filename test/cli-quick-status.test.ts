// `dispatch status` answers from the state folder alone while the repository's server runs (it
// keeps the database true), and says the same as the full path, which looks at every run itself.
import { describe, expect, test } from "bun:test";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { World } from "./helpers/world.ts";

describe("dispatch status without arguments", () => {
  test("with a server running it lists what the full path lists, as text and as JSON", async () => {
    await using world = new World();
    const server = await world.server();
    await server.api("/dispatch/code-review/TASK-42", { method: "POST" });
    await server.ended("code-review", "TASK-42");
    await server.api("/dispatch/interactive/TASK-7", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "30"] }) });
    const quick = await world.cli(["status"]);
    const quickJson = JSON.parse((await world.cli(["status", "--json"])).stdout);
    // `runs --task` the same way: that task's history.
    const taskRuns = JSON.parse((await world.cli(["runs", "--task", "TASK-7", "--json"])).stdout);
    expect(taskRuns.runs.map((r: { taskId: string }) => r.taskId)).toEqual(["TASK-7"]);
    expect((await world.cli(["runs", "--task", "../x"])).code).toBe(2);
    expect(quick.code).toBe(0);
    expect(quick.stdout).toMatch(/code-review\s+TASK-42\s+finished/);
    expect(quick.stdout).toMatch(/interactive\s+TASK-7\s+running/);
    expect(quickJson.runs.map((r: { mode: string; state: string }) => `${r.mode}:${r.state}`)).toEqual([
      "interactive:running",
      "code-review:finished",
    ]);
    await server.api("/stop/interactive/TASK-7", { method: "POST" });
    await server.stop();
    // The server gone, the full path answers: the same history.
    const full = JSON.parse((await world.cli(["status", "--json"])).stdout);
    expect(full.runs.map((r: { runId: string }) => r.runId)).toEqual(quickJson.runs.map((r: { runId: string }) => r.runId));
  });

  // The control first: a server.json that passes every check is believed (the database's word
  // stands, though the run's processes are gone); each other one fails exactly one check.
  for (const [why, realStart, mode, otherFolder, verdict] of [
    ["names this folder and a live process of this user's is believed (the control)", true, 0o600, false, "running"],
    ["names a live process that is not its server (another start time)", false, 0o600, false, "lost"],
    ["can be read by others (as a clone would check it out)", true, 0o644, false, "lost"],
    ["names another state folder (a linked .run leads to another repository's)", true, 0o600, true, "lost"],
  ] as const) {
    test(`a server.json that ${why}${verdict === "lost" ? " is passed over: the full path looks at the runs itself" : ""}`, async () => {
      await using world = new World();
      const server = await world.server();
      await server.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "30"] }) });
      const run = (await (await server.api("/runs?task=TASK-42")).json()).runs[0];
      // The server dies without a word, then the run's processes: the database still says running.
      server.proc.kill("SIGKILL");
      await server.proc.exited;
      process.kill(-run.pid, "SIGKILL");
      // It names a live process: this test's.
      const stat = readFileSync(`/proc/${process.pid}/stat`, "utf8");
      const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      const file = join(world.stateDir, "server.json");
      writeFileSync(
        file,
        JSON.stringify({
          pid: process.pid,
          pidStart: realStart ? start : "1",
          stateDir: otherFolder ? join(world.repo.root, "elsewhere", ".run") : world.stateDir,
          port: 1,
          url: "http://127.0.0.1:1",
          token: "0".repeat(64),
        }),
      );
      chmodSync(file, mode);
      const status = JSON.parse((await world.cli(["status", "--json"])).stdout);
      expect(status.runs[0]).toMatchObject({ runId: run.runId, state: verdict });
    });
  }
});
