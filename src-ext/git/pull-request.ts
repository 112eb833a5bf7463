import { DispatchError } from "../errors.ts";
import { type Exec, exec } from "../proc/spawn.ts";
import { type Git, lastLine } from "./git.ts";

/**
 * "Open pull request" (DESIGN §13): push the task branch to the repository's remote, then
 * `gh pr create`. Only offered when the GitHub CLI is installed and the repository has a remote;
 * never tested against a real host here, so the argv below is what the unit test pins down.
 * Values go as `--flag=value`, so a title that starts with "-" is a title.
 */

/** A remote's name as git allows it, and never an option. */
const REMOTE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export type PullRequest = { remote: string; branch: string; base: string; title: string; body: string };

export function pushArgv(pr: PullRequest): string[] {
  return ["push", "--set-upstream", pr.remote, `refs/heads/${pr.branch}:refs/heads/${pr.branch}`];
}

export function ghArgv(pr: PullRequest): string[] {
  return ["gh", "pr", "create", `--base=${pr.base}`, `--head=${pr.branch}`, `--title=${pr.title}`, `--body=${pr.body}`];
}

/** The remote to push to ("origin" when there is one, else the only one), or why there is none. */
export async function pullRequestRemote(
  git: Git,
  ghInstalled = Bun.which("gh") !== null,
): Promise<{ remote: string | null; reason: string | null }> {
  if (!ghInstalled) return { remote: null, reason: "the GitHub CLI (gh) is not installed" };
  const remotes = (await git(["remote"])).stdout.split("\n").filter((r) => REMOTE.test(r));
  const remote = remotes.includes("origin") ? "origin" : remotes.length === 1 ? (remotes[0] as string) : null;
  if (!remote)
    return {
      remote: null,
      reason: remotes.length ? "the repository has several remotes and none is origin" : "the repository has no remote",
    };
  return { remote, reason: null };
}

/** Pushes the branch, opens the pull request, and returns its address (gh prints it). */
export async function openPullRequest(git: Git, cwd: string, pr: PullRequest, run: Exec = exec): Promise<string> {
  const pushed = await git(pushArgv(pr));
  if (pushed.code !== 0) throw new DispatchError("remote_failed", `git push to ${pr.remote} failed: ${lastLine(pushed.stderr)}`);
  const made = await run(ghArgv(pr), { cwd, env: { ...process.env, GH_PROMPT_DISABLED: "1", GIT_TERMINAL_PROMPT: "0" } });
  if (made.code !== 0) throw new DispatchError("remote_failed", `gh pr create failed: ${lastLine(made.stderr)}`);
  // The page links to it: an address, never a script.
  const url = lastLine(made.stdout);
  if (!/^https?:\/\/\S+$/.test(url))
    throw new DispatchError(
      "remote_failed",
      `gh pr create did not print the pull request's address (it printed ${JSON.stringify(url.slice(0, 200))})`,
    );
  return url;
}
