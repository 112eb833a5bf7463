import { describe, expect, test } from "bun:test";
import type { ExecResult } from "../proc/spawn.ts";
import type { Git } from "./git.ts";
import { ghArgv, openPullRequest, pullRequestRemote, pushArgv } from "./pull-request.ts";

const PR = {
  remote: "origin",
  branch: "task/TASK-42",
  base: "main",
  title: "-rf TASK-42: Answer everything",
  body: "Did it.\n\n- one\n- two",
};
const ok = (stdout = ""): ExecResult => ({ code: 0, stdout, stderr: "" });

describe("open pull request", () => {
  test("argv: push the branch to its remote with upstream; gh with every value attached to its flag", () => {
    expect(pushArgv(PR)).toEqual(["push", "--set-upstream", "origin", "refs/heads/task/TASK-42:refs/heads/task/TASK-42"]);
    expect(ghArgv(PR)).toEqual([
      "gh",
      "pr",
      "create",
      "--base=main",
      "--head=task/TASK-42",
      "--title=-rf TASK-42: Answer everything",
      "--body=Did it.\n\n- one\n- two",
    ]);
  });

  test("offered only with gh installed and a remote: origin, or the only one", async () => {
    const remotes =
      (out: string): Git =>
      async () =>
        ok(out);
    expect(await pullRequestRemote(remotes("origin\nfork\n"), false)).toEqual({
      remote: null,
      reason: "the GitHub CLI (gh) is not installed",
    });
    expect(await pullRequestRemote(remotes(""), true)).toEqual({ remote: null, reason: "the repository has no remote" });
    expect(await pullRequestRemote(remotes("upstream\nfork\n"), true)).toMatchObject({ remote: null });
    expect(await pullRequestRemote(remotes("fork\n"), true)).toEqual({ remote: "fork", reason: null });
    expect(await pullRequestRemote(remotes("fork\norigin\n-evil\n"), true)).toEqual({ remote: "origin", reason: null });
  });

  test("pushes first, then asks gh, and answers with the address gh printed; a failure says which step", async () => {
    const calls: string[][] = [];
    const git: Git = async (args) => {
      calls.push(["git", ...args]);
      return ok();
    };
    const url = await openPullRequest(git, "/w", PR, async (argv) => {
      calls.push(argv);
      return ok("Creating pull request…\nhttps://github.com/o/r/pull/7\n");
    });
    expect(url).toBe("https://github.com/o/r/pull/7");
    expect(calls.map((c) => c.slice(0, 3))).toEqual([
      ["git", "push", "--set-upstream"],
      ["gh", "pr", "create"],
    ]);
    const refused: Git = async () => ({ code: 1, stdout: "", stderr: "fatal: could not read Username\n" });
    expect(openPullRequest(refused, "/w", PR, async () => ok())).rejects.toThrow(
      "git push to origin failed: fatal: could not read Username",
    );
  });
});
