import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DispatchError } from "../errors.ts";
import { withFileLock } from "../proc/file-lock.ts";
import { type Base, baseOf, chooseBase, recordBase } from "./base.ts";
import { gitAt, lastLine } from "./git.ts";

/** Finds or makes a task's worktree. */

/**
 * `base`: the branch the task's work lands on and the commit it started from (git/base.ts), as
 * recorded when the worktree was made now; null for one found (a review reads or records it then).
 */
export type Worktree = { path: string; branch: string; created: boolean; base: Base | null };

export type Listed = { path: string; branch: string | null };

function git(repo: string, args: string[]) {
  return gitAt(repo)(args);
}

export async function listWorktrees(repo: string): Promise<Listed[]> {
  const out = await git(repo, ["worktree", "list", "--porcelain"]);
  if (out.code !== 0) throw new DispatchError("worktree_failed", `git worktree list failed: ${lastLine(out.stderr)}`);
  const list: Listed[] = [];
  for (const block of out.stdout.split("\n\n")) {
    const path = /^worktree (.+)$/m.exec(block)?.[1];
    if (!path) continue;
    const branch = /^branch refs\/heads\/(.+)$/m.exec(block)?.[1] ?? null;
    list.push({ path, branch });
  }
  return list;
}

export function same(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

/** Per-process lock: two modes of one task starting at once share one creation. */
const inFlight = new Map<string, Promise<Worktree>>();

/**
 * Locates the task's worktree (any worktree on its branch) or creates it at `path` on a new or
 * existing branch. Errors are clear and leave nothing half-made.
 */
export function ensureWorktree(
  repo: string,
  path: string,
  branch: string,
  options: { lockFile?: string; base?: string | null } = {},
): Promise<Worktree> {
  const key = `${repo}\0${branch}`;
  const running = inFlight.get(key);
  if (running) return running.then((w) => ({ ...w, created: false }));
  // Across processes (the CLI and the server at once), a lock file keeps creation one at a time.
  const work = () => ensure(repo, path, branch, options.base ?? null);
  const { lockFile } = options;
  const job = (lockFile ? withFileLock(lockFile, work) : work()).finally(() => inFlight.delete(key));
  inFlight.set(key, job);
  return job;
}

async function ensure(repo: string, path: string, branch: string, base: string | null): Promise<Worktree> {
  // A folder with its `.git` needs no extra git command to say so (a dispatch of an existing
  // worktree at its usual place runs none); any other folder, git is asked.
  if (!existsSync(join(repo, ".git"))) await mustBeRepo(repo);
  // Another git command may hold the repository's locks for a moment: retry a failed add.
  for (let attempt = 0; ; attempt++) {
    try {
      const found = (attempt === 0 && checkedOut(repo, path, branch)) || (await locate(repo, path, branch));
      if (found) return { ...found, base: null };
      return await create(repo, path, branch, base);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof DispatchError) || error.code !== "worktree_failed") throw error;
      await Bun.sleep(100 * (1 + Math.random()));
    }
  }
}

/**
 * The usual case without a git command: the task's worktree at its usual place, on its branch, as
 * git's own files say (`<path>/.git` names its folder under the repository's `.git/worktrees/`,
 * whose HEAD is the branch). Anything else, `git worktree list` decides (locate).
 */
export function checkedOut(repo: string, path: string, branch: string): Omit<Worktree, "base"> | null {
  try {
    const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(join(path, ".git"), "utf8"))?.[1]?.trim();
    if (!gitdir) return null;
    const dir = resolve(path, gitdir);
    const worktrees = realpathSync(join(repo, ".git", "worktrees"));
    if (dirname(realpathSync(dir)) !== worktrees) return null;
    if (readFileSync(join(dir, "HEAD"), "utf8").trim() !== `ref: refs/heads/${branch}`) return null;
    // git prunes a worktree whose folder went: its record must point back here.
    if (!same(readFileSync(join(dir, "gitdir"), "utf8").trim(), join(path, ".git"))) return null;
    return { path: join(resolve(path)), branch, created: false };
  } catch {
    return null;
  }
}

async function mustBeRepo(repo: string): Promise<void> {
  const top = await git(repo, ["rev-parse", "--show-toplevel"]);
  if (top.code !== 0) {
    throw new DispatchError("not_a_repo", `${repo} is not a git repository (set DISPATCH_REPO or run dispatch inside one)`);
  }
}

async function locate(repo: string, path: string, branch: string): Promise<Omit<Worktree, "base"> | null> {
  const list = await listWorktrees(repo);
  const main = list[0];
  const onBranch = list.find((w) => w.branch === branch);
  if (onBranch) {
    if (main && same(onBranch.path, main.path)) {
      throw new DispatchError(
        "branch_in_use",
        `branch ${branch} is checked out in the main working tree ${main.path}: switch that checkout to another branch first`,
      );
    }
    if (!existsSync(onBranch.path)) {
      throw new DispatchError(
        "branch_in_use",
        `branch ${branch} belongs to a worktree at ${onBranch.path} that no longer exists: run git worktree prune`,
      );
    }
    return { path: onBranch.path, branch, created: false };
  }
  const atPath = list.find((w) => same(w.path, path));
  if (atPath) {
    throw new DispatchError(
      "branch_in_use",
      `the worktree ${path} is on ${atPath.branch ? `branch ${atPath.branch}` : "a detached HEAD"}, not ${branch}`,
    );
  }
  return null;
}

async function create(repo: string, path: string, branch: string, requested: string | null): Promise<Worktree> {
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new DispatchError(
      "branch_in_use",
      `${path} exists and is not a worktree of ${repo}: move it away or set worktrees in dispatch.config.toml`,
    );
  }
  const head = await git(repo, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
  if (head.code !== 0) {
    throw new DispatchError("not_a_repo", `${repo} has no commits yet: make a first commit so a task branch can start from it`);
  }
  const hasBranch = (await git(repo, ["show-ref", "--verify", "--quiet", `refs/heads/${branch}`])).code === 0;
  // A new branch starts from its base; an existing one keeps its commits and learns its base.
  const base = hasBranch ? null : await chooseBase(gitAt(repo), requested);
  const parent = dirname(path);
  const madeParent = !existsSync(parent);
  mkdirSync(parent, { recursive: true });
  const args = hasBranch || !base ? ["worktree", "add", path, branch] : ["worktree", "add", "-b", branch, path, base.commit];
  const out = await git(repo, args);
  if (out.code !== 0) {
    // Leave nothing half-made: a folder git left behind without registering it.
    const registered = (await listWorktrees(repo).catch(() => [])).some((w) => same(w.path, path));
    if (!registered && existsSync(path) && readdirSync(path).length === 0) rmSync(path, { recursive: true });
    if (madeParent && existsSync(parent) && readdirSync(parent).length === 0) rmSync(parent, { recursive: true });
    const reason = lastLine(out.stderr);
    if (/already (checked out|used by worktree)/.test(reason)) throw new DispatchError("branch_in_use", `git: ${reason}`);
    throw new DispatchError("worktree_failed", `git worktree add failed: ${reason}`);
  }
  if (base) await recordBase(gitAt(repo), branch, base);
  return { path: join(resolve(path)), branch, created: true, base: base ?? (await baseOf(gitAt(repo), branch, requested)) };
}
