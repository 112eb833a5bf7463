import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Git, gitOut } from "./git.ts";

/**
 * Saves everything in a worktree before it goes (DESIGN §13): its commits, and its uncommitted and
 * untracked files as one more commit on top, under `refs/dispatch/backup/<id>/<timestamp>`. A
 * private index is used, so the worktree's own index and files are not touched. Ignored files
 * (build output, dependencies) are left out, as git itself would leave them out of a commit.
 */
export async function backupWorktree(git: Git, taskId: string, now = new Date()): Promise<{ ref: string; commit: string }> {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-backup-"));
  const env = { GIT_INDEX_FILE: join(dir, "index") };
  try {
    const head = (await gitOut(git, ["rev-parse", "--verify", "HEAD^{commit}"], "reading the worktree's HEAD")).trim();
    const run = async (args: string[], what: string) => {
      const out = await git(args, { env });
      if (out.code !== 0) throw new Error(`${what}: ${out.stderr.trim()}`);
      return out.stdout;
    };
    await run(["read-tree", head], "backup: reading HEAD");
    await run(["add", "--all"], "backup: adding the worktree's files");
    const tree = (await run(["write-tree"], "backup: writing the tree")).trim();
    const commit = (
      await run(
        [
          "commit-tree",
          tree,
          "-p",
          head,
          "-m",
          `Dispatch backup of ${taskId} before its worktree was removed (uncommitted and untracked files included)`,
        ],
        "backup: making the commit",
      )
    ).trim();
    return await backupRef(git, taskId, commit, now);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keeps `what` (a commit or a ref) under `refs/dispatch/backup/<id>/<timestamp>`; never overwrites one. */
export async function backupRef(git: Git, taskId: string, what: string, now = new Date()): Promise<{ ref: string; commit: string }> {
  const commit = (await gitOut(git, ["rev-parse", "--verify", `${what}^{commit}`], "reading what to back up")).trim();
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const ref = `refs/dispatch/backup/${taskId}/${stamp}`;
  await gitOut(git, ["update-ref", ref, commit, ""], "saving the backup ref");
  return { ref, commit };
}
