import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { DispatchError, stateError } from "./errors.ts";
import { execSync } from "./proc/spawn.ts";

/**
 * Creates the state folder and, when it lies inside the repository, keeps it out of git through
 * the repository's own `info/exclude`: never by editing a tracked file such as `.gitignore`
 * (DESIGN §7). `.git` is read as git itself would read it.
 */
export function ensureStateDir(stateDir: string, repo: string): void {
  const existed = existsSync(stateDir) || isLink(stateDir);
  const inRepo = relative(repo, stateDir);
  const inside = inRepo !== "" && !inRepo.startsWith("..");
  if (existed) {
    checkOurs(stateDir, inside ? { repo, rel: inRepo } : null);
    return;
  }
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw stateError(stateDir, error);
  }
  if (!inside) return;
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

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * A state folder that is already there must be one Dispatch made for this user: a real folder of
 * ours, 0700, that git does not track. One that came with a repository (committed, or a link)
 * would hand its author the token (`server.json`) or fake runs whose pids a Stop would signal.
 */
function checkOurs(stateDir: string, inRepo: { repo: string; rel: string } | null): void {
  const refuse = (why: string) =>
    new DispatchError(
      "config",
      `${stateDir} was not made by Dispatch (${why}): state that comes with a repository could hand its author your token or fake runs; remove it, or set DISPATCH_STATE_DIR`,
    );
  const stat = lstatSync(stateDir);
  if (stat.isSymbolicLink()) throw refuse("it is a symbolic link");
  if (!stat.isDirectory()) throw stateError(stateDir, new Error("it is a file, not a folder"));
  if (process.getuid && stat.uid !== process.getuid()) throw refuse("it belongs to another user");
  if ((stat.mode & 0o077) !== 0) throw refuse(`its mode is ${(stat.mode & 0o777).toString(8)}, not 700`);
  if (inRepo) {
    const tracked = execSync(["git", "-C", inRepo.repo, "ls-files", "-z", "--", inRepo.rel]);
    if (tracked.code === 0 && tracked.stdout.length > 0) throw refuse("git tracks files in it");
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
