import { DispatchError } from "../errors.ts";
import { type ExecResult, exec } from "../proc/spawn.ts";

/**
 * The only way Dispatch runs git (every file in git/ goes through here): argv only, never a
 * shell; no prompt for credentials (a push that needs them fails instead of hanging); C locale,
 * so messages can be read; no optional locks (GIT_OPTIONAL_LOCKS=0), so Dispatch reading a
 * worktree's status never holds its index.lock while the agent or the user commits there (seen:
 * "Unable to create index.lock: File exists" from a commit racing a badge's `git status`); and
 * the user's own git configuration otherwise.
 */
export type Git = (args: string[], options?: { env?: Record<string, string>; stdin?: string }) => Promise<ExecResult>;

export function gitAt(dir: string): Git {
  return async (args, options = {}) => {
    try {
      return await exec(["git", "-C", dir, ...args], {
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C", ...options.env },
        stdin: options.stdin,
      });
    } catch (error) {
      throw new DispatchError("worktree_failed", "git is not installed (apt-get install git, brew install git)", { cause: error });
    }
  };
}

/** The last line git wrote: its reason, for an error message. */
export function lastLine(text: string): string {
  return text.trim().split("\n").filter(Boolean).slice(-1)[0] ?? "";
}

/** Runs git and returns its stdout; a failure is a DispatchError that says what failed and git's reason. */
export async function gitOut(
  git: Git,
  args: string[],
  what: string,
  code: "worktree_failed" | "conflict" = "worktree_failed",
): Promise<string> {
  const out = await git(args);
  if (out.code !== 0) throw new DispatchError(code, `${what} failed: ${lastLine(out.stderr) || `git ${args[0]} exited with ${out.code}`}`);
  return out.stdout;
}
