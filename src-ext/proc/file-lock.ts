import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { alive } from "./liveness.ts";

/** A held lock is looked at again this often: what it guards (`git worktree add`) takes tens of milliseconds on a small repository. */
const WAIT_MS = 25;

/**
 * Runs `fn` while holding a lock file shared by every process on this machine (created with
 * O_EXCL, holding the owner's pid). A lock whose owner has died is taken over. Used where two
 * processes (the CLI and the server) must not interleave multi-step work, such as creating one
 * git worktree.
 */
// A holder that is alive yet never lets go (a hung git) gets a minute; then the waiter gives up with an error naming it.
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(safeRead(path));
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        safeUnlink(path);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${path} held by pid ${owner}`);
      await Bun.sleep(WAIT_MS);
    }
  }
  try {
    return await fn();
  } finally {
    safeUnlink(path);
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function safeUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
