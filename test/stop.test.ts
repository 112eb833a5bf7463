import { describe, expect, test } from "bun:test";
import { alive } from "../src-ext/proc/liveness.ts";
import { World, waitFor } from "./helpers/world.ts";
import { collectSocket } from "./helpers/ws.ts";

describe("stop", () => {
  test("a headless run whose agent spawned a grandchild: both gone, state stopped, log socket closed", async () => {
    await using world = new World();
    const server = await world.server();
    await server.api("/dispatch/code-review/TASK-42", {
      method: "POST",
      body: JSON.stringify({ extras: ["--fake-grandchild", "--fake-sleep", "60"] }),
    });
    const agent = await waitFor("the agent", () => world.agentRuns()[0]);
    expect(agent.grandchild).toBeNumber();
    expect(alive(agent.pid)).toBe(true);
    expect(alive(agent.grandchild as number)).toBe(true);
    const socket = collectSocket(`ws://127.0.0.1:${server.port}/logs/code-review/TASK-42?token=${server.token}`);
    const events = await server.events();

    const res = await server.api("/stop/code-review/TASK-42", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ stopped: true, state: "stopped" });
    expect(alive(agent.pid)).toBe(false);
    expect(alive(agent.grandchild as number)).toBe(false);
    expect((await socket).code).toBe(1000);
    // The launcher records the exit the Stop provoked: noted, and the run stays `stopped`.
    const noted = await events.next(
      "the exit code noted",
      (m) => m.type === "run.changed" && (m.run as { exitCode: unknown }).exitCode !== null,
    );
    expect(noted).toMatchObject({ previous: { state: "stopped" }, run: { state: "stopped", exitCode: 143 } });
    expect(await (await server.api("/status/code-review/TASK-42")).json()).toMatchObject({
      state: "stopped",
      running: false,
      exitCode: 143,
    });

    // Stopping again says it was not running.
    expect(await (await server.api("/stop/code-review/TASK-42")).json()).toEqual({ stopped: false, state: "stopped" });
  });

  test("an interactive run: the tmux session ends and the run is stopped", async () => {
    await using world = new World();
    const server = await world.server();
    await server.api("/dispatch/interactive/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-grandchild"] }) });
    const agent = await waitFor("the agent", () => world.agentRuns()[0]);
    const result = await (await server.api("/stop/interactive/TASK-42", { method: "POST" })).json();
    expect(result).toEqual({ stopped: true, state: "stopped" });
    expect(world.tmux("has-session", "-t", "=claude-interactive-TASK-42").code).not.toBe(0);
    await waitFor("the agent to end", () => !alive(agent.pid));
  });

  test("the CLI stops a run the server started", async () => {
    await using world = new World();
    const server = await world.server();
    await server.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "60"] }) });
    await waitFor("the agent", () => world.agentRuns()[0]);
    const stop = await world.cli(["stop", "code-review", "TASK-42"]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain("stopped code-review on TASK-42");
    // The server learns of the CLI's write without a request.
    await waitFor("the server to see it", async () => (await (await server.api("/status/code-review/TASK-42")).json()).state === "stopped");
  });
});
