import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { git } from "./repo.ts";
import type { ServerHandle, World } from "./world.ts";

/** Makes TASK-42's worktree with a headless run of the fake agent, and returns its path. */
export async function taskWorktree(world: World, server: ServerHandle, id = "TASK-42"): Promise<string> {
  const res = await server.api(`/dispatch/code-review/${id}`, { method: "POST" });
  if (res.status !== 201) throw new Error(`dispatch: ${res.status} ${await res.text()}`);
  await server.ended("code-review", id);
  return join(world.repo.worktrees, id);
}

/** Writes the files and commits them in `dir`. */
export function commitIn(dir: string, files: Record<string, string | Buffer>, message: string): void {
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", message);
}

/** Every file under `dir` (but .git and .run) with the sha256 of its bytes: to compare a folder before and after. */
export function fileHashes(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name === ".git" || (at === dir && entry.name === ".run")) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else hashes[relative(dir, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  walk(dir);
  return hashes;
}

/** What git says of a worktree: status (untracked included), HEAD and the branch tips. */
export function gitState(dir: string): { status: string; head: string; refs: string } {
  return {
    status: git(dir, "status", "--porcelain=v1", "--untracked-files=all"),
    head: git(dir, "rev-parse", "HEAD"),
    refs: git(dir, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/"),
  };
}
