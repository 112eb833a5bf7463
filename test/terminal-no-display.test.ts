import { describe, expect, test } from "bun:test";
import { World, waitFor } from "./helpers/world.ts";

describe("terminals where there is no display", () => {
  test("an interactive API dispatch with a terminal installed but no DISPLAY or WAYLAND_DISPLAY answers at once and says how to attach", async () => {
    await using world = new World();
    // No `terminal = none` here: a terminal (xterm) is installed, only the display is missing (ssh).
    const server = await world.server({ DISPATCH_TERMINAL: "", DISPLAY: "", WAYLAND_DISPLAY: "" });
    const res = await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ state: "running", reused: false });
    expect(body.terminal).toMatchObject({ action: "none", terminal: null });
    expect(body.terminal.message).toBe(
      `no graphical display (DISPLAY and WAYLAND_DISPLAY are unset): attach with tmux -S ${world.socketPath} attach-session -t =claude-interactive-TASK-42`,
    );
    await waitFor("the agent", () => world.agentRuns()[0]);
    // Attach says the same, and so does the CLI's.
    expect(await (await server.api("/attach/interactive/TASK-42", { method: "POST" })).json()).toMatchObject({ action: "none" });
    const cli = await world.cli(["attach", "interactive", "TASK-42"], { env: { DISPATCH_TERMINAL: "", DISPLAY: "", WAYLAND_DISPLAY: "" } });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain("no graphical display");
    await server.api("/stop/interactive/TASK-42", { method: "POST" });
  });
});
