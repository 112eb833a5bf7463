import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SCREENSHOTS } from "../e2e/browser.ts";
import { DesktopApp } from "../helpers/desktop-app.ts";
import { NotificationServer } from "../helpers/notification-server.ts";
import { ROOT } from "../helpers/repo.ts";
import { World, waitFor } from "../helpers/world.ts";
import { X11 } from "../helpers/x11.ts";

const SESSION = "claude-interactive-TASK-42";

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {}
}

function processesOf(pattern: RegExp): string[] {
  const r = Bun.spawnSync(["ps", "-eo", "pid,args"], { stdout: "pipe" });
  return r.stdout
    .toString()
    .split("\n")
    .filter((l) => pattern.test(l) && !l.includes(" ps -eo"));
}

describe("the desktop app with the real Neutralino runtime", () => {
  test("npm start: window with the board, tray Run opens a terminal, closing keeps the tray, Quit ends the app but not the session", async () => {
    await using x = await X11.start();
    await using world = new World();
    const app = await DesktopApp.start(x, world);
    const { info, window } = app;
    const api = (path: string) => app.api(path);
    try {
      await Bun.sleep(1000);
      x.screenshot(join(SCREENSHOTS, "desktop-window.png"));
      // npm start printed the API's URL with its token.
      await waitFor("the printed URL", () => app.printed.includes(`${info.url}/?token=${info.token}`));

      // Tray: open the menu, choose "Run interactive on TASK-42" (the third item: Open Dispatch,
      // TASK-7, TASK-42; separators are skipped).
      await app.openTray();
      x.screenshot(join(SCREENSHOTS, "desktop-tray-menu.png"));
      x.run(["xdotool", "key", "Down", "Down", "Down", "Return"]);
      await waitFor("the run", async () => (await (await api("/status/interactive/TASK-42")).json()).state === "running", 20000);
      expect((await (await api("/runs")).json()).runs[0]).toMatchObject({ origin: "tray", taskId: "TASK-42", mode: "interactive" });
      await waitFor("the terminal window", () => x.windows(`^tmux:${SESSION}`).length === 1, 20000);
      await waitFor(
        "its tmux client",
        () => world.tmux("list-clients", "-t", `=${SESSION}`).out.trim().split("\n").filter(Boolean).length === 1,
      );

      // Closing the window keeps the tray and the API. The terminal just opened may still take the
      // focus (openbox focuses new windows): alt+F4 goes to our window only once it is the active one.
      await x.activate(window);
      x.run(["xdotool", "key", "--clearmodifiers", "alt+F4"]);
      await waitFor("the window to hide", () => x.run(["xwininfo", "-id", window]).out.includes("IsUnMapped"));
      expect((await fetch(`${info.url}/health`)).ok).toBe(true);

      // Quit (the last item) ends the runtime and the extension; the session lives on.
      await app.openTray();
      x.run(["xdotool", "key", "Up", "Return"]);
      expect(await app.process.exited).toBe(0);
      await waitFor(
        "no runtime or extension left",
        () => processesOf(/neutralino-linux|src-ext\/neutralino\/main\.ts|cli\.ts app/).length === 0,
      );
      expect(
        await fetch(`${info.url}/health`).then(
          () => "up",
          () => "down",
        ),
      ).toBe("down");
      expect(world.tmux("has-session", "-t", `=${SESSION}`).code).toBe(0);
    } finally {
      app.kill();
    }
  }, 120000);

  test("a run that asks for approval shows in the tray; Allow in the tray runs the tool", async () => {
    await using x = await X11.start();
    await using world = new World();
    const app = await DesktopApp.start(x, world);
    try {
      await app.api("/dispatch/interactive/TASK-42", { method: "POST" });
      await waitFor("the agent to wait", async () => (await (await app.api("/status/interactive/TASK-42")).json()).activity === "waiting");
      // The menu with the run (Attach, Stop) and nothing asked: measured once the tray shows the run.
      const quiet = await app.trayMenuHeight();
      const proof = join(world.repo.root, "proof");
      world.tmux("send-keys", "-t", `=${SESSION}:`, "-l", `bash touch ${proof}`);
      world.tmux("send-keys", "-t", `=${SESSION}:`, "Enter");
      // The menu grows by the request (what it asks, Allow, Deny) once the tray knows it.
      await app.trayMenuUntil("the tray to list the request", (height) => height > quiet);
      await app.openTray();
      x.screenshot(join(SCREENSHOTS, "desktop-tray-approval.png"));
      // Open Dispatch (1 need you) · [TASK-42 wants to run Bash: touch …] · Allow Bash: the second
      // item that can be chosen.
      x.run(["xdotool", "key", "Down", "Down", "Return"]);
      await waitFor("the tool to run", () => existsSync(proof), 20000);
      await waitFor(
        "the agent to wait again",
        async () => (await (await app.api("/status/interactive/TASK-42")).json()).activity === "waiting",
      );
      await app.trayMenuUntil("the tray without the request", (height) => height === quiet);
    } finally {
      app.kill();
    }
  }, 120000);

  test("a desktop notification names the task and why: Allow in it runs the tool, a click on it raises the run's terminal", async () => {
    await using x = await X11.start();
    await using notifications = await NotificationServer.start(x);
    await using world = new World();
    const app = await DesktopApp.start(x, world);
    const status = async () => (await (await app.api("/status/interactive/TASK-42")).json()) as { activity: string };
    const ask = (file: string) => {
      world.tmux("send-keys", "-t", `=${SESSION}:`, "-l", `bash touch ${file}`);
      world.tmux("send-keys", "-t", `=${SESSION}:`, "Enter");
    };
    const asked = () => notifications.shown().filter((n) => n.title === "TASK-42: wants to run Bash");
    try {
      await app.api("/dispatch/interactive/TASK-42", { method: "POST" });
      await waitFor("the agent to wait", async () => (await status()).activity === "waiting");
      const terminal = await waitFor("the terminal window", () => x.windows(`^tmux:${SESSION}`).at(0), 20000);

      // A request: the notification says which task, what it wants to run; Allow in it runs the tool.
      const proof = join(world.repo.root, "proof");
      ask(proof);
      const first = await notifications.waitShown("the notification", (n) => n.title === "TASK-42: wants to run Bash");
      expect(first.body).toContain(`touch ${proof}`);
      await Bun.sleep(300);
      x.screenshot(join(SCREENSHOTS, "desktop-notification.png"));
      notifications.choose("Allow");
      await waitFor("the tool to run", () => existsSync(proof), 20000);
      await waitFor("the agent to wait again", async () => (await status()).activity === "waiting");

      // Another window takes the focus; the next request's notification, clicked, raises the terminal.
      const other = await x.focusAnotherWindow();
      ask(join(world.repo.root, "proof2"));
      await waitFor("a second notification", () => asked().length === 2, 20000);
      notifications.click();
      await waitFor("the run's terminal to be active", () => x.activeWindow() === terminal);
      expect((await status()).activity).toBe("needs-approval");
      await app.api("/approve/interactive/TASK-42", { method: "POST", body: JSON.stringify({ decision: "deny" }) });
      await waitFor("the agent to wait again", async () => (await status()).activity === "waiting");

      // A headless run that ends: a click on its notification shows the window on that run's log.
      await x.activate(other);
      await app.api("/dispatch/code-review/TASK-42", { method: "POST" });
      await notifications.waitShown("the ended run's notification", (n) => n.title === "TASK-42: code-review finished");
      notifications.click();
      await waitFor("the Dispatch window to be active", () => x.activeWindow() === app.window);
      await Bun.sleep(500);
      x.screenshot(join(SCREENSHOTS, "desktop-notification-opens-log.png"));
    } finally {
      app.kill();
    }
  }, 120000);

  test("npm start without the runtime serves the browser UI and prints its URL", async () => {
    await using world = new World();
    const app = Bun.spawn(["npm", "start", "--silent"], {
      cwd: ROOT,
      detached: true,
      env: world.env({ DISPATCH_RUNTIME: "/nonexistent/neutralino", DISPATCH_PORT: "0", PATH: `${process.env.PATH}`, DISPLAY: "" }),
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const reader = app.stdout.getReader();
      let out = "";
      while (!/\?token=[0-9a-f]{64}/.test(out)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`npm start ended: ${out}`);
        out += new TextDecoder().decode(value);
      }
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(out)?.[0] as string;
      const landing = await fetch(url, { redirect: "manual" });
      expect(landing.status).toBe(302);
      const cookie = (landing.headers.get("set-cookie") ?? "").split(";")[0] as string;
      const page = await fetch(url.replace(/\?token=.*/, ""), { headers: { cookie, "sec-fetch-site": "none" } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
    } finally {
      killGroup(app.pid);
      await app.exited;
    }
  });
});
