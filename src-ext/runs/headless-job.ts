import { closeSync, openSync } from "node:fs";
import { groupAlive } from "../proc/liveness.ts";
import { spawnChild } from "../proc/spawn.ts";
import { launcherArgv } from "./launch-script.ts";

/**
 * Starts the launcher as a detached process group (setsid) with stdout and stderr appended to the
 * log. It outlives this process; `stop` ends the whole group, grandchildren included. `onExit`
 * tells of our own child's end: a launcher killed before it wrote its exit record shows there.
 */
export function spawnHeadless(specPath: string, cwd: string, logFile: string, onExit: () => void): number {
  const fd = openSync(logFile, "a", 0o600);
  try {
    const child = spawnChild(launcherArgv(specPath), { cwd, detached: true, stdout: fd, stderr: fd });
    void child.exited.then(() => {
      try {
        onExit();
      } catch (error) {
        console.error("dispatch: after a job's exit:", error);
      }
    });
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** A stopped group gets this long to end after SIGTERM before SIGKILL: the launcher forwards the signal and records the exit in well under a second. */
const STOP_GRACE_MS = 3000;
/** How often the group is looked at while it ends (a /proc scan each time). */
const GROUP_POLL_MS = 25;

/**
 * Ends a process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once no member is left,
 * so a caller that says "stopped" can mean it.
 */
export async function killGroup(pgid: number, graceMs = STOP_GRACE_MS): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await Bun.sleep(GROUP_POLL_MS);
  if (!groupAlive(pgid)) return;
  signal("SIGKILL");
  const hardDeadline = Date.now() + 2000;
  while (groupAlive(pgid) && Date.now() < hardDeadline) await Bun.sleep(GROUP_POLL_MS);
}
