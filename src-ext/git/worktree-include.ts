import { constants, copyFileSync, lstatSync, mkdirSync, readlinkSync, realpathSync, symlinkSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { gitAt, gitOut } from "./git.ts";

/**
 * The files a new worktree needs that git does not carry: those the repository's
 * `.worktreeinclude` names (gitignore patterns, Claude Code's convention) AND that git ignores,
 * e.g. `.env`. Never a tracked file, never one git would commit. The list comes from git, so every
 * path lies inside the main worktree; a link is copied as the link it is, never followed, and
 * nothing in the new worktree is overwritten. Never anything under `never` (Dispatch's state
 * folder: a `.worktreeinclude` that names `.run/` would hand the agent the API token; the
 * worktrees folder), and never through a folder of the new worktree that is a link (a branch can
 * commit `cfg -> /tmp/elsewhere`). Returns the paths copied.
 */
export async function copyIncluded(repo: string, worktree: string, never: string[] = []): Promise<string[]> {
  const include = join(repo, ".worktreeinclude");
  try {
    if (!lstatSync(include).isFile()) return [];
  } catch {
    return [];
  }
  const git = gitAt(repo);
  const named = splitZ(
    await gitOut(git, ["ls-files", "-z", "--others", "--ignored", `--exclude-from=${include}`], "listing .worktreeinclude"),
  );
  if (named.length === 0) return [];
  // Of those, the ones the repository's own ignore rules ignore (exit 1: none is).
  const checked = await git(["check-ignore", "-z", "--stdin"], { stdin: `${named.join("\0")}\0` });
  const ignored = checked.code === 0 ? splitZ(checked.stdout) : [];
  const copied: string[] = [];
  const refused = [join(repo, ".git"), ...never];
  const root = realpathSync(worktree);
  for (const path of ignored) {
    const from = join(repo, path);
    const to = join(worktree, path);
    if (refused.some((dir) => within(from, dir))) continue;
    const stat = lstatSync(from, { throwIfNoEntry: false });
    if (!stat || lstatSync(to, { throwIfNoEntry: false })) continue;
    // Where the copy would really land: inside the new worktree, or nowhere (checked on the
    // deepest entry that exists, link or not, before any folder is made: a link there would
    // carry the rest away; a dangling one cannot be resolved and is passed over).
    let existing = dirname(to);
    while (!lstatSync(existing, { throwIfNoEntry: false })) existing = dirname(existing);
    try {
      if (!within(realpathSync(existing), root)) continue;
      mkdirSync(dirname(to), { recursive: true });
      if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
      else if (stat.isFile()) copyFileSync(from, to, constants.COPYFILE_EXCL);
      else continue;
    } catch {
      continue;
    }
    copied.push(path);
  }
  return copied;
}

function within(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function splitZ(text: string): string[] {
  return text.split("\0").filter(Boolean);
}
