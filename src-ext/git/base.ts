import { DispatchError } from "../errors.ts";
import { type Git, lastLine } from "./git.ts";

/**
 * A task branch's base: the branch its work lands on and the commit it started from (DESIGN §13).
 * Recorded in the repository's own config when the worktree is made (`branch.<task
 * branch>.dispatchBase` and `.dispatchBaseCommit`), so it stays with the branch wherever its
 * worktree lives, and survives Dispatch's state folder. `branch` is null only when the main
 * worktree was on a detached HEAD and no base was asked for.
 */
export type Base = { branch: string | null; commit: string };

/** Branch names from a task file or the config: plain names only, never an option or a revision expression. */
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,200}(?<![./])$/;

export function checkBranchName(name: string, where: string): string {
  if (!BRANCH.test(name) || name.endsWith(".lock")) {
    throw new DispatchError("invalid_base", `${where}: ${JSON.stringify(name)} is not a branch name`);
  }
  return name;
}

async function commitOf(git: Git, ref: string): Promise<string | null> {
  const out = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  return out.code === 0 ? out.stdout.trim() : null;
}

/** The requested base branch (config or front matter), else the branch checked out in the main worktree. */
export async function chooseBase(git: Git, requested: string | null): Promise<Base> {
  if (requested) {
    const commit = await commitOf(git, `refs/heads/${checkBranchName(requested, "base")}`);
    if (!commit) throw new DispatchError("invalid_base", `the base branch ${requested} does not exist in this repository`);
    return { branch: requested, commit };
  }
  const current = await git(["symbolic-ref", "--quiet", "--short", "HEAD"]);
  const branch = current.code === 0 ? current.stdout.trim() : null;
  const commit = await commitOf(git, "HEAD");
  if (!commit)
    throw new DispatchError("not_a_repo", "the repository has no commits yet: make a first commit so a task branch can start from it");
  return { branch, commit };
}

export async function recordBase(git: Git, branch: string, base: Base): Promise<void> {
  const set = async (key: string, value: string) => {
    const out = await git(["config", `branch.${branch}.${key}`, value]);
    if (out.code !== 0) throw new DispatchError("worktree_failed", `recording the base of ${branch} failed: ${lastLine(out.stderr)}`);
  };
  if (base.branch) await set("dispatchBase", base.branch);
  await set("dispatchBaseCommit", base.commit);
}

/** `git config --get-regexp` lines of recorded bases → each branch's (git lowercases the keys, never the branch). */
function parseRecorded(text: string): Map<string, { base: string | null; commit: string | null }> {
  const found = new Map<string, { base: string | null; commit: string | null }>();
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    const key = line.slice(0, space);
    const lower = key.toLowerCase();
    const value = line.slice(space + 1).trim() || null;
    const suffix = lower.endsWith(".dispatchbasecommit") ? ".dispatchbasecommit" : lower.endsWith(".dispatchbase") ? ".dispatchbase" : null;
    if (!suffix || !lower.startsWith("branch.")) continue;
    const branch = key.slice("branch.".length, key.length - suffix.length);
    const entry = found.get(branch) ?? { base: null, commit: null };
    if (suffix === ".dispatchbasecommit") entry.commit = value;
    else entry.base = value;
    found.set(branch, entry);
  }
  return found;
}

/** Both recorded values in one git command: `branch.<b>.dispatchbase` and `.dispatchbasecommit`. */
async function readRecorded(git: Git, branch: string): Promise<{ base: string | null; commit: string | null }> {
  // The branch as a literal in git's (POSIX extended) regular expression.
  const escaped = branch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const out = await git(["config", "--get-regexp", `^branch\\.${escaped}\\.dispatchbase(commit)?$`]);
  return parseRecorded(out.code === 0 ? out.stdout : "").get(branch) ?? { base: null, commit: null };
}

/** Every branch's recorded base, in one git command (a branch with none, or only half of one, is left out). */
export async function recordedBases(git: Git): Promise<Map<string, Base>> {
  // Exit code 1: nothing recorded yet.
  const out = await git(["config", "--get-regexp", "^branch\\..*\\.dispatchbase(commit)?$"]);
  const bases = new Map<string, Base>();
  for (const [branch, { base, commit }] of parseRecorded(out.code === 0 ? out.stdout : "")) {
    if (commit) bases.set(branch, { branch: base, commit });
  }
  return bases;
}

/** A `git config` write holds its lock for about 2 ms here: 8 tries, waiting 10, 20, … 80 ms, outlast a dozen looks at once. */
const LOCK_TRIES = 8;
const LOCK_WAIT_MS = 10;

/**
 * The recorded base of a task branch. A branch Dispatch did not make (or made before bases were
 * recorded) gets one now: the requested or current branch, from where the two histories meet.
 */
export async function baseOf(git: Git, branch: string, requested: string | null): Promise<Base> {
  const recorded = await readRecorded(git, branch);
  if (recorded.commit) return { branch: recorded.base, commit: recorded.commit };
  const chosen = await chooseBase(git, requested);
  const meet = await git(["merge-base", chosen.commit, `refs/heads/${branch}`]);
  const base = { branch: chosen.branch, commit: meet.code === 0 ? meet.stdout.trim() : chosen.commit };
  // Other looks may record it at the same moment: git config takes its lock for each of the two
  // keys, so a look can fail on either while another holds it (or holds it between them). Theirs
  // stands once whole; until then, try again by turns.
  for (let tries = 0; ; tries++) {
    try {
      await recordBase(git, branch, base);
      return base;
    } catch (error) {
      const now = await readRecorded(git, branch);
      if (now.commit) return { branch: now.base, commit: now.commit };
      if (tries >= LOCK_TRIES) throw error;
      await Bun.sleep(LOCK_WAIT_MS * (tries + 1));
    }
  }
}
