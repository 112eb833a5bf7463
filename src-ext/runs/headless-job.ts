import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { groupAlive } from "../proc/exec.ts";

/** The launcher script, run by the same Bun that runs the engine (launcher.js in a release bundle). */
export const LAUNCHER =
  [join(import.meta.dir, "launcher.ts"), join(import.meta.dir, "launcher.js")].find((f) => existsSync(f)) ??
  join(import.meta.dir, "launcher.ts");

/** Kept so that Bun reaps the launchers this process started. */
const children = new Set<ReturnType<typeof Bun.spawn>>();

/**
 * Starts the launcher as a detached process group (setsid) with stdout and stderr appended to the
 * log. It outlives this process; `stop` ends the whole group, grandchildren included.
 */
export function spawnHeadless(specPath: string, cwd: string, logFile: string, onExit: () => void): number {
  const fd = openSync(logFile, "a", 0o600);
  try {
    const child = Bun.spawn([process.execPath, LAUNCHER, specPath], {
      cwd,
      detached: true,
      stdin: "ignore",
      stdout: fd,
      stderr: fd,
      env: process.env,
    });
    children.add(child);
    // Our own child's end is an event; a launcher killed before writing its exit file shows here.
    void child.exited.finally(() => {
      children.delete(child);
      try {
        onExit();
      } catch (error) {
        console.error("dispatch: after a job's exit:", error);
      }
    });
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Ends a process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once no member is left,
 * so a caller that says "stopped" can mean it.
 */
export async function killGroup(pgid: number, graceMs = 3000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await Bun.sleep(25);
  if (!groupAlive(pgid)) return;
  signal("SIGKILL");
  const hardDeadline = Date.now() + 2000;
  while (groupAlive(pgid) && Date.now() < hardDeadline) await Bun.sleep(25);
}
