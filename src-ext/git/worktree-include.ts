import { constants, copyFileSync, lstatSync, mkdirSync, readlinkSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { gitAt, gitOut } from "./git.ts";

/**
 * The files a new worktree needs that git does not carry: those the repository's
 * `.worktreeinclude` names (gitignore patterns, Claude Code's convention) AND that git ignores,
 * e.g. `.env`. Never a tracked file, never one git would commit. The list comes from git, so every
 * path lies inside the main worktree; a link is copied as the link it is, never followed, and
 * nothing in the new worktree is overwritten. Returns the paths copied.
 */
export async function copyIncluded(repo: string, worktree: string): Promise<string[]> {
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
  for (const path of ignored) {
    const from = join(repo, path);
    const to = join(worktree, path);
    const stat = lstatSync(from, { throwIfNoEntry: false });
    if (!stat || lstatSync(to, { throwIfNoEntry: false })) continue;
    mkdirSync(dirname(to), { recursive: true });
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (stat.isFile()) copyFileSync(from, to, constants.COPYFILE_EXCL);
    else continue;
    copied.push(path);
  }
  return copied;
}

function splitZ(text: string): string[] {
  return text.split("\0").filter(Boolean);
}
