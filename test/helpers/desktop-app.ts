import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { runtimePath } from "../../src-ext/cli/app-command.ts";
import { ROOT } from "./repo.ts";
import { type World, waitFor } from "./world.ts";
import type { X11 } from "./x11.ts";

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

/**
 * `npm start` on a private display with a system tray (trayer), for tests of the real desktop
 * app: the runtime, its extension serving the API, the window and the tray icon.
 */
export class DesktopApp {
  printed = "";

  private constructor(
    private readonly x: X11,
    readonly process: Subprocess<"ignore", "pipe", "ignore">,
    readonly info: { url: string; token: string },
    readonly window: string,
  ) {
    void (async () => {
      for await (const chunk of process.stdout) this.printed += new TextDecoder().decode(chunk);
    })();
  }

  static async start(x: X11, world: World): Promise<DesktopApp> {
    const runtime = runtimePath();
    if (!existsSync(runtime)) {
      throw new Error(
        `no Neutralino runtime at ${runtime}: \`npm install\` provides it (neu update, or ../shared/neutralino/); by hand: \`npx neu update\``,
      );
    }
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
    try {
      // The extension comes up inside the runtime and serves the API.
      const info = await waitFor("server.json", () => existsSync(serverJson) && JSON.parse(readFileSync(serverJson, "utf8")), 30000);
      // The window titled Dispatch loads the board and connects to /events with the extension's token.
      const window = await waitFor("the Dispatch window", () => x.windows("^Dispatch$").at(0), 30000);
      await waitFor("the window's UI to connect", async () => (await (await fetch(`${info.url}/health`)).json()).events >= 1, 30000);
      await waitFor("the tray icon", () => x.run(["xdotool", "search", "--class", "neutralino"]).ok);
      return new DesktopApp(x, app, info, window);
    } catch (error) {
      killGroup(app.pid);
      throw error;
    }
  }

  api(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = { authorization: `Bearer ${this.info.token}`, ...(init.body ? { "content-type": "application/json" } : {}) };
    return fetch(`${this.info.url}${path}`, { ...init, headers });
  }

  /**
   * Opens the tray menu and returns its window: one more visible window of the runtime's class,
   * clicked then waited for. A click that lands while the app replaces its tray opens nothing:
   * it is clicked again.
   */
  async openTray(): Promise<string> {
    const visible = () => this.x.run(["xdotool", "search", "--onlyvisible", "--class", "neutralino"]).out.split("\n").filter(Boolean);
    const before = new Set(visible());
    for (let attempt = 1; ; attempt++) {
      this.x.run(["xdotool", "mousemove", String(TRAY_ICON.x), String(TRAY_ICON.y), "click", "1"]);
      try {
        return await waitFor("the tray menu", () => visible().find((w) => !before.has(w)), 4000);
      } catch (error) {
        if (attempt === 3) {
          this.x.screenshot(join(ROOT, "test-results", "screenshots", "desktop-tray-failed.png"));
          throw error;
        }
      }
    }
  }

  /** How tall the tray menu is (it grows with its items): opened, measured, closed. */
  async trayMenuHeight(): Promise<number> {
    const menu = await this.openTray();
    const height = Number(/HEIGHT=(\d+)/.exec(this.x.run(["xdotool", "getwindowgeometry", "--shell", menu]).out)?.[1] ?? 0);
    this.x.run(["xdotool", "key", "Escape"]);
    await waitFor(
      "the tray menu to close",
      () => !this.x.run(["xdotool", "search", "--onlyvisible", "--class", "neutralino"]).out.includes(menu),
    );
    return height;
  }

  /**
   * Waits until the tray menu's height passes `check`. Each look opens and closes the menu, so
   * looks are spaced a second apart: the runtime (Neutralino 6.9 on Linux) runs os.setTray's GTK
   * calls on its server thread, and a tray update that lands while the menu is open can abort it
   * (seen here: a cairo assertion, exit 134). A user meets that rarely; a test must not provoke it.
   */
  async trayMenuUntil(what: string, check: (height: number) => boolean, timeoutMs = 20000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const height = await this.trayMenuHeight();
      if (check(height)) return height;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (menu ${height} px high)`);
      await Bun.sleep(1000);
    }
  }

  /** Ends the app's whole process tree (npm, sh, bun, runtime). */
  kill(): void {
    killGroup(this.process.pid);
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {}
}
