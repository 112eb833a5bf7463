import { closeSync, constants, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { DispatchError } from "../errors.ts";
import { gitAt, gitOut } from "../git/git.ts";
import type { Worktree } from "../git/worktree.ts";
import { copyIncluded } from "../git/worktree-include.ts";
import { spawnChild } from "../proc/spawn.ts";

/**
 * A setup that installs dependencies takes minutes (a cold `npm ci` here: about 1 min); one that
 * runs longer than this is stuck, and the agent should not wait forever for it.
 */
const SETUP_TIMEOUT_MS = 20 * 60 * 1000;
/** Marks a worktree whose setup succeeded; it lives in the worktree's own git folder, so it goes with it. */
const DONE_MARK = "dispatch-setup-done";

export type Prep = { copied: string[]; setup: "ran" | "done-before" | "none" };

/**
 * Makes a task's worktree ready for its agent (DESIGN §13): on creation, the ignored files
 * `.worktreeinclude` names are copied from the main worktree; then the repository's trusted
 * `setup` runs there once, its output in `logPath`. A setup that fails is an error that names
 * its exit and its last line, and no agent starts; the next dispatch runs it again.
 */
export async function prepareWorktree(options: {
  repo: string;
  /** Folders whose files are never copied in (Dispatch's state folder, the worktrees folder). */
  never: string[];
  worktree: Worktree;
  setup: string[] | null;
  logPath: string;
  taskId: string;
}): Promise<Prep> {
  const { worktree, setup, logPath } = options;
  const copied = worktree.created ? await copyIncluded(options.repo, worktree.path, options.never) : [];
  if (!setup) return { copied, setup: "none" };
  const gitDir = (await gitOut(gitAt(worktree.path), ["rev-parse", "--absolute-git-dir"], "finding the worktree's git folder")).trim();
  const mark = join(gitDir, DONE_MARK);
  if (existsSync(mark)) return { copied, setup: "done-before" };

  const log = openSync(logPath, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  let ended: { code: number; signal: string | null };
  let timedOut = false;
  try {
    // A program named by a relative path (`./scripts/setup.sh`) is the worktree's own.
    const program = setup[0] as string;
    const argv = [program.includes("/") && !isAbsolute(program) ? join(worktree.path, program) : program, ...setup.slice(1)];
    let child: ReturnType<typeof spawnChild>;
    try {
      child = spawnChild(argv, {
        cwd: worktree.path,
        env: { ...process.env, DISPATCH_TASK_ID: options.taskId, DISPATCH_WORKTREE: worktree.path, DISPATCH_BRANCH: worktree.branch },
        stdout: log,
        stderr: log,
        detached: true,
      });
    } catch (error) {
      throw new DispatchError("setup_failed", `setup ${JSON.stringify(setup)} could not start: ${(error as Error).message}`);
    }
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, SETUP_TIMEOUT_MS);
    ended = await child.exited;
    clearTimeout(timer);
  } finally {
    closeSync(log);
  }
  if (ended.code !== 0) {
    const last = lastLineOf(logPath);
    const how = timedOut ? `was stopped after ${SETUP_TIMEOUT_MS / 60000} minutes` : `failed with exit code ${ended.code}`;
    throw new DispatchError(
      "setup_failed",
      `the repository's setup ${JSON.stringify(setup)} ${how} in ${worktree.path}${last ? `: ${last}` : ""} (its output: ${logPath}); no agent started`,
    );
  }
  writeFileSync(mark, `${new Date().toISOString()}\n`);
  return { copied, setup: "ran" };
}

function lastLineOf(path: string): string {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-1)[0]?.slice(0, 300) ?? "";
  } catch {
    return "";
  }
}
