import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { World, waitFor } from "./helpers/world.ts";

describe("a restart of the server loses nothing", () => {
  test("kill -9 while headless runs go on: a running one still reports running, an ended one its true exit code and full log", async () => {
    await using world = new World();
    const first = await world.server();
    const long = await (
      await first.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "30"] }) })
    ).json();
    const short = await (
      await first.api("/dispatch/code-review/TASK-7", {
        method: "POST",
        body: JSON.stringify({ extras: ["--fake-sleep", "1.5", "--fake-exit", "7", "--fake-bytes", "200000"] }),
      })
    ).json();
    await waitFor("both agents", () => world.agentRuns().length === 2);

    first.proc.kill("SIGKILL");
    await first.proc.exited;
    // TASK-7 ends while no server is there to see it.
    await waitFor("TASK-7's exit record", () => existsSync(join(world.stateDir, "exits", `${short.runId}.json`)));

    const second = await world.server();
    const longStatus = await (await second.api("/status/code-review/TASK-42")).json();
    expect(longStatus).toMatchObject({ state: "running", running: true, runId: long.runId });
    const shortStatus = await (await second.api("/status/code-review/TASK-7")).json();
    expect(shortStatus).toMatchObject({ state: "failed", exitCode: 7, runId: short.runId });

    const log = await (await second.api("/logs/code-review/TASK-7")).text();
    expect(log).toContain('"type":"result"');
    const numbered = log.split("\n").filter((l) => /^\d{8} x+$/.test(l));
    expect(numbered.length).toBe(Math.floor(200000 / 64));
    expect(numbered.at(-1)?.slice(0, 8)).toBe(String(numbered.length - 1).padStart(8, "0"));

    // Nothing ran twice, and the run still going is still the same one.
    expect(world.agentRuns().length).toBe(2);
    const again = await (await second.api("/dispatch/code-review/TASK-42", { method: "POST" })).json();
    expect(again).toMatchObject({ reused: true, runId: long.runId });

    // Its end is seen by the new server as it happens.
    await second.api("/stop/code-review/TASK-42", { method: "POST" });
    const history = await (await second.api("/runs?task=TASK-42")).json();
    expect(history.runs.map((r: { state: string }) => r.state)).toEqual(["stopped"]);
  });

  test("an interactive run survives a restart and its exit is seen by the new server", async () => {
    await using world = new World();
    const first = await world.server();
    await first.api("/dispatch/interactive/TASK-42", { method: "POST" });
    await waitFor("the agent", () => world.agentRuns().length === 1);
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    const second = await world.server();
    expect((await (await second.api("/status/interactive/TASK-42")).json()).state).toBe("running");
    await waitFor("the prompt", () => /^>/m.test(world.tmux("capture-pane", "-p", "-t", "=claude-interactive-TASK-42:").out));
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "-l", "exit 0");
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "Enter");
    const done = await second.ended("interactive", "TASK-42");
    expect(done).toMatchObject({ state: "finished", exitCode: 0 });
  });

  test("a run whose process vanished without an exit code is reported lost", async () => {
    await using world = new World();
    const server = await world.server();
    const run = await (
      await server.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "30"] }) })
    ).json();
    const agent = await waitFor("the agent", () => world.agentRuns()[0]);
    // Kill the launcher and the agent together, as a crash would: no exit file is written.
    const row = (await (await server.api("/runs?task=TASK-42")).json()).runs[0];
    process.kill(-row.pid, "SIGKILL");
    void agent;
    const done = await server.ended("code-review", "TASK-42", 20000);
    expect(done).toMatchObject({ state: "lost", runId: run.runId });
  });
});
