import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { waitFor } from "./world.ts";
import type { X11 } from "./x11.ts";

/**
 * A real notification server (dunst) on a test display's session bus, so the desktop app's
 * notifications can be seen and clicked as a user would: every notification shown is recorded
 * (dunst's per-notification script), `click()` invokes its default action (a click on it) and
 * `choose(label)` one of its actions through dunst's action menu (its dmenu, here a script that
 * picks the line with that label).
 */
export class NotificationServer {
  private constructor(
    private readonly x: X11,
    private readonly dir: string,
    private readonly dunst: Subprocess,
  ) {}

  static async start(x: X11): Promise<NotificationServer> {
    for (const program of ["dunst", "dunstctl", "notify-send"]) {
      if (!Bun.which(program)) throw new Error(`${program} is missing: apt-get install dunst libnotify-bin`);
    }
    const dir = mkdtempSync(join(tmpdir(), "dispatch-notify-"));
    const record = join(dir, "record.sh");
    // DUNST_SUMMARY and DUNST_BODY: dunst 1.9 passes the notification to the script in these.
    writeFileSync(record, `#!/bin/sh\nprintf '%s\\t%s\\n' "$DUNST_SUMMARY" "$DUNST_BODY" >> '${join(dir, "shown")}'\n`);
    const pick = join(dir, "pick.sh");
    writeFileSync(pick, `#!/bin/sh\ngrep -m1 -F -- "$(cat '${join(dir, "choice")}')"\n`);
    chmodSync(record, 0o755);
    chmodSync(pick, 0o755);
    const config = join(dir, "dunstrc");
    writeFileSync(config, `[global]\nfont = DejaVu Sans 10\ndmenu = ${pick}\n\n[record]\nsummary = "*"\nscript = ${record}\n`);
    const dunst = Bun.spawn(["dunst", "-config", config], { env: { ...process.env, ...x.env() }, stdout: "ignore", stderr: "ignore" });
    const server = new NotificationServer(x, dir, dunst);
    // Up once it owns org.freedesktop.Notifications: dunstctl answers.
    await waitFor("dunst on the session bus", () => x.run(["dunstctl", "is-paused"]).ok);
    return server;
  }

  /** Every notification shown so far: its title and body. */
  shown(): Array<{ title: string; body: string }> {
    const file = join(this.dir, "shown");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [title = "", body = ""] = line.split("\t");
        return { title, body };
      });
  }

  waitShown(what: string, match: (n: { title: string; body: string }) => boolean): Promise<{ title: string; body: string }> {
    return waitFor(what, () => this.shown().find(match), 20000);
  }

  /** A click on the newest notification shown: its default action. */
  click(): void {
    if (!this.x.run(["dunstctl", "action", "0"]).ok) throw new Error("dunstctl action failed");
  }

  /** Chooses the action with this label on the newest notification (dunst's action menu). */
  choose(label: string): void {
    writeFileSync(join(this.dir, "choice"), `#${label} (`);
    if (!this.x.run(["dunstctl", "context"]).ok) throw new Error("dunstctl context failed");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.dunst.kill("SIGTERM");
    await this.dunst.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
