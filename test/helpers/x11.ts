import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Subprocess } from "bun";
import { waitFor } from "./world.ts";

/**
 * A private X display for desktop tests: Xvfb, openbox as the window manager, and a D-Bus
 * session bus (GNOME Terminal is D-Bus activated and needs DISPLAY in the bus's activation
 * environment, DESIGN §11). Disposing it ends all three; windows die with the display.
 */
export class X11 {
  private constructor(
    readonly display: string,
    readonly dbusAddress: string,
    private readonly procs: Subprocess[],
    private readonly dbusPid: number,
  ) {}

  static async start(): Promise<X11> {
    for (const program of ["Xvfb", "openbox", "xdotool", "dbus-daemon", "import"]) {
      if (!Bun.which(program)) throw new Error(`${program} is missing: apt-get install xvfb openbox xdotool dbus-daemon imagemagick`);
    }
    // -displayfd: Xvfb picks a free display number and writes it once it is ready.
    const xvfb = Bun.spawn(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {
      stdout: "pipe",
      stderr: "ignore",
    });
    const reader = xvfb.stdout.getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("Xvfb exited before it was ready");
      text += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    const display = `:${text.trim()}`;
    const dbus = Bun.spawnSync(["dbus-daemon", "--session", "--fork", "--nopidfile", "--print-address=1", "--print-pid=1"], {
      env: { ...process.env, DISPLAY: display },
      stdout: "pipe",
    });
    const [address, pid] = dbus.stdout.toString().trim().split("\n");
    if (!address || !pid) throw new Error("dbus-daemon did not start");
    const env = { ...process.env, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: address };
    Bun.spawnSync(["dbus-update-activation-environment", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS"], { env });
    const openbox = Bun.spawn(["openbox"], { env, stdout: "ignore", stderr: "ignore" });
    const x = new X11(display, address, [openbox, xvfb], Number(pid));
    // The window manager is up once it owns the screen's WM selection.
    for (let i = 0; i < 200 && !x.wmRunning(); i++) await Bun.sleep(25);
    if (!x.wmRunning()) throw new Error("openbox did not take the screen");
    return x;
  }

  private wmRunning(): boolean {
    return this.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"]).out.includes("window id");
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    // NO_AT_BRIDGE: GTK would otherwise start an accessibility bus that outlives the test.
    return { DISPLAY: this.display, DBUS_SESSION_BUS_ADDRESS: this.dbusAddress, XDG_RUNTIME_DIR: "/tmp", NO_AT_BRIDGE: "1", ...extra };
  }

  run(argv: string[]): { ok: boolean; out: string } {
    const r = Bun.spawnSync(argv, { env: { ...process.env, ...this.env() }, stdout: "pipe", stderr: "pipe" });
    return { ok: r.exitCode === 0, out: r.stdout.toString().trim() };
  }

  /** Window ids whose title matches the regex. */
  windows(title: string): string[] {
    const r = this.run(["xdotool", "search", "--name", title]);
    return r.ok ? r.out.split("\n").filter(Boolean) : [];
  }

  activeWindow(): string {
    return this.run(["xdotool", "getactivewindow"]).out;
  }

  /** Makes the window the active one. A window just mapped may refuse the focus for a moment: asked until it has it. */
  activate(window: string): Promise<unknown> {
    return waitFor(`window ${window} to be active`, () => {
      this.run(["xdotool", "windowactivate", "--sync", window]);
      return this.activeWindow() === window;
    });
  }

  /** Opens another window (an xterm titled another-window) and gives it the focus; returns its id. */
  async focusAnotherWindow(): Promise<string> {
    Bun.spawn(["xterm", "-T", "another-window", "-e", "sleep", "60"], {
      env: { ...process.env, ...this.env() },
      stdout: "ignore",
      stderr: "ignore",
    });
    const other = await waitFor("the other window", () => this.windows("^another-window$").at(0));
    await this.activate(other);
    return other;
  }

  screenshot(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    const shot = this.run(["import", "-window", "root", path]);
    if (!shot.ok) throw new Error(`screenshot of ${this.display} failed`);
  }

  /** Processes started on this display (terminals, their servers): found by their environment. */
  private displayProcesses(): number[] {
    const needle = `DISPLAY=${this.display}\0`;
    const pids: number[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        if (`${readFileSync(`/proc/${entry}/environ`, "latin1")}\0`.includes(needle)) pids.push(Number(entry));
      } catch {}
    }
    return pids;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const pid of [...this.displayProcesses(), this.dbusPid]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    for (const p of this.procs) p.kill("SIGTERM");
    await Promise.all(this.procs.map((p) => p.exited));
  }
}
