import { describe, expect, test } from "bun:test";
import { World, waitFor } from "./helpers/world.ts";

const SESSION = "claude-interactive-TASK-42";

describe("attached, from tmux's hooks", () => {
  test("flips true when a terminal client attaches and false when it detaches, pushed on /events and in /status", async () => {
    await using world = new World();
    const server = await world.server();
    const events = await server.events();
    const run = await (await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).json();
    await waitFor("the agent", () => world.agentRuns()[0]);
    expect(await (await server.api("/status/interactive/TASK-42")).json()).toMatchObject({ attached: false });

    // A real client: tmux attach running in a pane of another session (a terminal of its own).
    world.tmux(
      "new-session",
      "-d",
      "-s",
      "viewer",
      "--",
      "env",
      "-u",
      "TMUX",
      "tmux",
      "-S",
      world.socketPath,
      "attach-session",
      "-t",
      `=${SESSION}`,
    );
    const on = await events.next("attached", (m) => m.type === "run.attached" && m.attached === true);
    expect(on).toMatchObject({ runId: run.runId, mode: "interactive", taskId: "TASK-42", session: SESSION });
    expect(await (await server.api("/status/interactive/TASK-42")).json()).toMatchObject({ attached: true });
    expect(JSON.parse((await world.cli(["status", "interactive", "TASK-42", "--json"])).stdout)).toMatchObject({ attached: true });

    world.tmux("kill-session", "-t", "=viewer");
    await events.next("detached", (m) => m.type === "run.attached" && m.attached === false);
    expect(await (await server.api("/status/interactive/TASK-42")).json()).toMatchObject({ attached: false });
    await server.api("/stop/interactive/TASK-42", { method: "POST" });
  });
});
