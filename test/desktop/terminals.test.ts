import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SCREENSHOTS } from "../e2e/browser.ts";
import { World, waitFor } from "../helpers/world.ts";
import { X11 } from "../helpers/x11.ts";

const SESSION = "claude-interactive-TASK-42";

/**
 * Real terminals in a real X server: a dispatch opens the chosen terminal on the session; a
 * second Attach adds no client and raises that window after another window took the focus.
 */
describe("terminal windows under Xvfb", () => {
  for (const terminal of ["xterm", "gnome-terminal", "konsole"]) {
    test(`${terminal}: opened by an interactive dispatch, focused (not duplicated) by Attach`, async () => {
      await using x = await X11.start();
      await using world = new World();
      const server = await world.server(x.env({ DISPATCH_TERMINAL: terminal }));
      const clients = () => world.tmux("list-clients", "-t", `=${SESSION}`, "-F", "#{client_tty}").out.split("\n").filter(Boolean);

      const events = await server.events();
      const res = await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
      expect(res.status).toBe(201);
      const body = await res.json();
      // The answer never waits for the window; an event says how it went.
      expect(body.terminal).toMatchObject({ action: "opening", terminal, session: SESSION });
      const outcome = await events.next("the terminal's outcome", (m) => m.type === "terminal");
      expect(outcome.result).toMatchObject({ action: "opened", terminal, session: SESSION });
      await events.next("attached", (m) => m.type === "run.attached" && m.attached === true);
      expect(await (await server.api("/status/interactive/TASK-42")).json()).toMatchObject({ attached: true });
      expect(clients().length).toBe(1);
      const windows = await waitFor("the terminal window", () => x.windows(`^tmux:${SESSION}`).at(0));

      // Another window takes the focus.
      await x.focusAnotherWindow();

      const attach = await (await server.api("/attach/interactive/TASK-42", { method: "POST" })).json();
      expect(attach).toMatchObject({ action: "focused", session: SESSION });
      expect(clients().length).toBe(1);
      await waitFor("the session's window to be active", () => x.activeWindow() === windows);
      // The CLI's attach takes the same path.
      const cli = await world.cli(["attach", "interactive", "TASK-42", "--json"], { env: x.env({ DISPATCH_TERMINAL: terminal }) });
      expect(JSON.parse(cli.stdout)).toMatchObject({ action: "focused" });
      expect(clients().length).toBe(1);

      await Bun.sleep(300);
      x.screenshot(join(SCREENSHOTS, `terminal-${terminal}.png`));
      await server.api("/stop/interactive/TASK-42", { method: "POST" });
    }, 60000);
  }

  test("a terminal that cannot open its window: the answer says opening, then an event carries the terminal's own error", async () => {
    await using world = new World();
    // A display where no X server listens.
    const server = await world.server({ DISPATCH_TERMINAL: "xterm", DISPLAY: ":97", WAYLAND_DISPLAY: "" });
    const events = await server.events();
    const body = await (await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).json();
    expect(body.state).toBe("running");
    expect(body.terminal).toMatchObject({ action: "opening", terminal: "xterm" });
    const outcome = (await events.next("the terminal's outcome", (m) => m.type === "terminal")) as {
      result: { action: string; message: string };
    };
    expect(outcome.result.action).toBe("failed");
    expect(outcome.result.message).toContain("xterm failed");
    // xterm's own words.
    expect(outcome.result.message).toContain("Can't open display");
    expect(outcome.result.message).toContain("attach-session -t =claude-interactive-TASK-42");
    expect((await (await server.api("/status/interactive/TASK-42")).json()).state).toBe("running");
    await server.api("/stop/interactive/TASK-42", { method: "POST" });
  });

  test("a terminal that is not installed: the dispatch still runs and says what to install", async () => {
    await using x = await X11.start();
    await using world = new World();
    const server = await world.server(x.env({ DISPATCH_TERMINAL: "foot" }));
    const body = await (await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).json();
    expect(body.state).toBe("running");
    expect(body.terminal).toMatchObject({ action: "none" });
    expect(body.terminal.message).toContain("foot is not installed");
    const attach = await server.api("/attach/interactive/TASK-42", { method: "POST" });
    expect(attach.status).toBe(500);
    expect((await attach.json()).error).toMatchObject({ code: "terminal_missing" });
    const headless = await server.api("/attach/code-review/TASK-42", { method: "POST" });
    expect(headless.status).toBe(400);
  });
});
