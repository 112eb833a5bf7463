import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runtimePath } from "../../src-ext/cli/app-command.ts";
import { SCREENSHOTS } from "../e2e/browser.ts";
import { ROOT } from "../helpers/repo.ts";
import { World, waitFor } from "../helpers/world.ts";
import { X11 } from "../helpers/x11.ts";

const SESSION = "claude-interactive-TASK-42";
/** trayer's panel: bottom right, 200x32; the one icon sits at its right end. */
const TRAYER = [
  "trayer",
  "--edge",
  "bottom",
  "--align",
  "right",
  "--widthtype",
  "pixel",
  "--width",
  "200",
  "--heighttype",
  "pixel",
  "--height",
  "32",
  "--transparent",
  "false",
];
const TRAY_ICON = { x: 1262, y: 784 };

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
    const runtime = runtimePath();
    if (!existsSync(runtime)) {
      throw new Error(
        `no Neutralino runtime at ${runtime}: \`npm install\` provides it (neu update, or ../shared/neutralino/); by hand: \`npx neu update\``,
      );
    }
    await using x = await X11.start();
    await using world = new World();
    Bun.spawn(TRAYER, { env: { ...process.env, ...x.env() }, stdout: "ignore", stderr: "ignore" });
    const serverJson = join(world.stateDir, "server.json");
    const app = Bun.spawn(["npm", "start", "--silent"], {
      cwd: ROOT,
      // Its own process group, so the whole tree (npm, sh, bun, runtime) can be ended on failure.
      detached: true,
      env: { ...world.env(x.env({ DISPATCH_TERMINAL: "xterm", DISPATCH_PORT: "0" })) },
      stdout: "pipe",
      stderr: "ignore",
    });
    let printed = "";
    void (async () => {
      for await (const chunk of app.stdout) printed += new TextDecoder().decode(chunk);
    })();
    try {
      // The extension comes up inside the runtime and serves the API.
      const info = await waitFor("server.json", () => existsSync(serverJson) && JSON.parse(readFileSync(serverJson, "utf8")), 30000);
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${info.url}${path}`, { ...init, headers: { authorization: `Bearer ${info.token}` } });
      // The window titled Dispatch loads the board and connects to /events with the extension's token.
      const window = await waitFor("the Dispatch window", () => x.windows("^Dispatch$").at(0), 30000);
      await waitFor("the window's UI to connect", async () => (await (await fetch(`${info.url}/health`)).json()).events >= 1, 30000);
      await Bun.sleep(1000);
      x.screenshot(join(SCREENSHOTS, "desktop-window.png"));
      // npm start printed the API's URL with its token.
      await waitFor("the printed URL", () => printed.includes(`${info.url}/?token=${info.token}`));

      // Tray: open the menu, choose "Run interactive on TASK-42" (the third item: Open Dispatch,
      // TASK-7, TASK-42; separators are skipped).
      // The menu is one more visible window of the runtime's class: clicked, then waited for.
      const visible = () => x.run(["xdotool", "search", "--onlyvisible", "--class", "neutralino"]).out.split("\n").filter(Boolean).length;
      const tray = async () => {
        const before = visible();
        x.run(["xdotool", "mousemove", String(TRAY_ICON.x), String(TRAY_ICON.y), "click", "1"]);
        await waitFor("the tray menu", () => visible() > before);
      };
      await waitFor("the tray icon", () => x.run(["xdotool", "search", "--class", "neutralino"]).ok);
      await tray();
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
      await waitFor("the Dispatch window to be active", () => {
        x.run(["xdotool", "windowactivate", "--sync", window]);
        return x.activeWindow() === window;
      });
      x.run(["xdotool", "key", "--clearmodifiers", "alt+F4"]);
      await waitFor("the window to hide", () => x.run(["xwininfo", "-id", window]).out.includes("IsUnMapped"));
      expect((await fetch(`${info.url}/health`)).ok).toBe(true);

      // Quit (the last item) ends the runtime and the extension; the session lives on.
      await tray();
      x.run(["xdotool", "key", "Up", "Return"]);
      expect(await app.exited).toBe(0);
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
      killGroup(app.pid);
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
