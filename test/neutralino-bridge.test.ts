import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { NeutralinoHost } from "./helpers/neutralino-host.ts";
import { ROOT } from "./helpers/repo.ts";
import { World, waitFor } from "./helpers/world.ts";

const EXTENSION = join(ROOT, "src-ext", "neutralino", "main.ts");
type Item = { id: string; text: string; isDisabled?: boolean };

/** Starts the extension as Neutralino does: startup JSON on stdin, then stdin closed. */
function startExtension(world: World, host: NeutralinoHost) {
  return Bun.spawn([process.execPath, EXTENSION], {
    cwd: world.repo.repo,
    env: world.env({ DISPATCH_PORT: "0" }),
    stdin: new TextEncoder().encode(host.startupJson()),
    stdout: "pipe",
    stderr: "inherit",
  });
}

const lastTray = (host: NeutralinoHost): Item[] => (host.callsOf("os.setTray").at(-1)?.data.menuItems as Item[]) ?? [];
const texts = (host: NeutralinoHost) => lastTray(host).map((i) => i.text);

describe("the Neutralino extension bridge, against a test double of the host", () => {
  test("connects with the startup info, sets the tray, greets the window, acts on tray clicks, notifies, and exits when the host goes", async () => {
    await using world = new World();
    const host = new NeutralinoHost();
    const ext = startExtension(world, host);
    try {
      await waitFor("the tray", () => host.callsOf("os.setTray").length > 0);
      const first = host.callsOf("os.setTray")[0];
      expect(first?.accessToken).toBe(host.token);
      expect(first?.data.icon).toBe("/resources/icons/trayIcon.png");
      expect(texts(host)).toEqual([
        "Open Dispatch",
        "-",
        "Run interactive on TASK-7",
        "Run interactive on TASK-42",
        "Run interactive on TASK-20250516T024757",
        "-",
        "Quit",
      ]);

      // The window learns the API's address and token; it asks again after a reload.
      const hello = await waitFor("hello", () => host.callsOf("app.broadcast").find((c) => c.data.event === "dispatch.hello"));
      const { url, token } = hello.data.data as { url: string; token: string };
      expect((await fetch(`${url}/health`)).ok).toBe(true);
      host.emit("appClientConnect", { id: "w1" });
      await waitFor("a second hello", () => host.callsOf("app.broadcast").length >= 2);
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });

      // Tray: Run interactive on TASK-42 starts the run (origin tray); the menu gains Attach and Stop.
      host.emit("trayMenuItemClicked", {
        id: "run:interactive:TASK-42",
        text: "Run interactive on TASK-42",
        isChecked: false,
        isDisabled: false,
      });
      await waitFor("running", async () => (await (await api("/status/interactive/TASK-42")).json()).state === "running");
      expect((await (await api("/runs")).json()).runs[0].origin).toBe("tray");
      await waitFor(
        "Attach and Stop in the tray",
        () => texts(host).includes("Attach claude-interactive-TASK-42") && texts(host).includes("Stop claude-interactive-TASK-42"),
      );
      expect(lastTray(host).find((i) => i.id === "run:interactive:TASK-42")?.isDisabled).toBe(true);
      // With terminal = none, Attach opens nothing and says so, with the command to attach by hand.
      host.emit("trayMenuItemClicked", { id: "attach:interactive:TASK-42" });
      const why = await waitFor("the attach notice", () =>
        host
          .callsOf("os.showNotification")
          .find((c) => String(c.data.title).includes("claude-interactive-TASK-42") && String(c.data.content).includes("attach-session")),
      );
      expect(why.data.content).toContain("no terminal is opened");
      host.emit("trayMenuItemClicked", { id: "stop:interactive:TASK-42" });
      await waitFor("stopped", async () => (await (await api("/status/interactive/TASK-42")).json()).state === "stopped");
      await waitFor("the tray without the run", () => !texts(host).includes("Stop claude-interactive-TASK-42"));

      // A headless run's end is a notification naming task, mode and outcome.
      await api("/dispatch/code-review/TASK-7", { method: "POST", body: JSON.stringify({ extras: ["--fake-exit", "2"] }) });
      const note = await waitFor("a notification", () =>
        host.callsOf("os.showNotification").find((c) => String(c.data.title).startsWith("TASK-7")),
      );
      expect(note.data.title).toBe("TASK-7: code-review failed with exit code 2");

      // Open Dispatch shows the window.
      host.emit("trayMenuItemClicked", { id: "open" });
      await waitFor("window.show", () => host.callsOf("window.show").length === 1);

      // A run left going survives the app: Quit ends the extension, not the session.
      host.emit("trayMenuItemClicked", { id: "run:interactive:TASK-7" });
      await waitFor("TASK-7 starting", async () => (await (await api("/status/interactive/TASK-7")).json()).state === "running");
      // Quit while it may still be starting: the extension lets the launch finish first.
      host.emit("trayMenuItemClicked", { id: "quit" });
      await waitFor("app.exit", () => host.callsOf("app.exit").length === 1);
      expect(await ext.exited).toBe(0);
      expect(world.tmux("has-session", "-t", "=claude-interactive-TASK-7").code).toBe(0);
      expect(
        await fetch(`${url}/health`).then(
          () => "up",
          () => "down",
        ),
      ).toBe("down");
    } finally {
      ext.kill();
      host.stop();
    }
  });

  test("a closed host socket ends the extension", async () => {
    await using world = new World();
    const host = new NeutralinoHost();
    const ext = startExtension(world, host);
    try {
      await waitFor("connected", () => host.connected && host.callsOf("os.setTray").length > 0);
      host.disconnect();
      expect(await ext.exited).toBe(0);
    } finally {
      ext.kill();
      host.stop();
    }
  });

  test("started by hand (no startup JSON), it serves the browser UI instead", async () => {
    await using world = new World();
    const ext = Bun.spawn([process.execPath, EXTENSION], {
      cwd: world.repo.repo,
      env: world.env({ DISPATCH_PORT: "0" }),
      stdin: new Uint8Array(),
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const reader = ext.stdout.getReader();
      let out = "";
      while (!out.includes("?token=")) out += new TextDecoder().decode((await reader.read()).value);
      expect(out).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/);
    } finally {
      ext.kill();
      await ext.exited;
    }
  });
});
