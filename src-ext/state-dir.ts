import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { stateError } from "./errors.ts";

/**
 * Creates the state folder and, when it lies inside the repository, keeps it out of git through
 * the repository's own `info/exclude`: never by editing a tracked file such as `.gitignore`
 * (DESIGN §7). No git process: `.git` is read as git itself would read it.
 */
export function ensureStateDir(stateDir: string, repo: string): void {
  const existed = existsSync(stateDir);
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw stateError(stateDir, error);
  }
  const inRepo = relative(repo, stateDir);
  if (existed || !inRepo || inRepo.startsWith("..")) return;
  const exclude = excludeFile(repo);
  if (!exclude) return;
  const entry = `/${inRepo.split("\\").join("/")}/`;
  const current = existsSync(exclude) ? readFileSync(exclude, "utf8") : "";
  const listed = current.split("\n").some((l) => [entry, entry.slice(1), entry.slice(0, -1), entry.slice(1, -1)].includes(l.trim()));
  if (listed) return;
  try {
    mkdirSync(dirname(exclude), { recursive: true });
    appendFileSync(exclude, `${current && !current.endsWith("\n") ? "\n" : ""}${entry}\n`);
  } catch {
    // A read-only git folder: the state folder then shows as untracked, which changes nothing.
  }
}

/**
 * `<git dir>/info/exclude` of the repository: `.git` is a folder, or (a linked worktree, a
 * submodule) a file `gitdir: PATH` whose `commondir` names the folder that holds `info/`.
 */
export function excludeFile(repo: string): string | null {
  const dotGit = join(repo, ".git");
  try {
    if (lstatSync(dotGit).isDirectory()) return join(dotGit, "info", "exclude");
    const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim();
    if (!gitdir) return null;
    const dir = resolve(repo, gitdir);
    const common = existsSync(join(dir, "commondir")) ? resolve(dir, readFileSync(join(dir, "commondir"), "utf8").trim()) : dir;
    return join(common, "info", "exclude");
  } catch {
    return null;
  }
}
