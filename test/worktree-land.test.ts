// Landing a task's work with real git: a clean merge lands its commits; a conflict leaves the main
// worktree exactly as it was and names the files; the main worktree must be clean and on the base
// (DESIGN §13).
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git } from "./helpers/repo.ts";
import { commitIn, fileHashes, gitState, taskWorktree } from "./helpers/worktree-fixtures.ts";
import { World } from "./helpers/world.ts";

const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });

describe("landing a task's work", () => {
  test("a clean merge lands the branch's commits in the main worktree; squash makes one commit", async () => {
    await using world = new World();
    const main = world.repo.repo;
    const server = await world.server();
    const tree = await taskWorktree(world, server);
    commitIn(tree, { "feature.txt": "new feature\n" }, "add the feature");
    commitIn(tree, { "feature.txt": "new feature, better\n" }, "improve the feature");
    commitIn(main, { "other.txt": "meanwhile on main\n" }, "meanwhile");
    const tipBefore = git(main, "rev-parse", "main").trim();

    const res = await server.api("/tasks/TASK-42/merge", post({ strategy: "merge" }));
    expect(res.status).toBe(200);
    const merged = await res.json();
    expect(merged).toMatchObject({ id: "TASK-42", strategy: "merge", base: "main", commits: 2 });
    expect(git(main, "rev-parse", "main").trim()).toBe(merged.commit);
    // A merge commit with both tips as parents; the files are in the main worktree, which is clean.
    expect(git(main, "rev-list", "--parents", "-n", "1", "main").trim().split(" ").slice(1)).toEqual([
      tipBefore,
      git(main, "rev-parse", "task/TASK-42").trim(),
    ]);
    expect(readFileSync(join(main, "feature.txt"), "utf8")).toBe("new feature, better\n");
    expect(git(main, "status", "--porcelain")).toBe("");
    expect(git(main, "log", "--format=%s", "-n", "1")).toBe("Merge task/TASK-42 (TASK-42: Answer everything)\n");
    // Nothing left to merge.
    const again = await server.api("/tasks/TASK-42/merge", post({}));
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toContain("nothing to merge");

    // Squash, through the CLI: one commit on main, the branch's subjects in its message.
    commitIn(tree, { "more.txt": "1\n" }, "one more");
    commitIn(tree, { "more.txt": "2\n" }, "and another");
    const squash = await world.cli(["merge", "TASK-42", "--squash"]);
    expect(squash.stderr).toBe("");
    expect(squash.stdout).toMatch(/^squashed 2 commits of TASK-42 into main \(now [0-9a-f]{12}\)\n$/);
    expect(git(main, "rev-list", "--parents", "-n", "1", "main").trim().split(" ")).toHaveLength(2);
    expect(git(main, "log", "--format=%B", "-n", "1")).toContain(
      "TASK-42: Answer everything\n\nSquashed from task/TASK-42:\n- and another\n- one more",
    );
    expect(readFileSync(join(main, "more.txt"), "utf8")).toBe("2\n");
  });

  test("a conflicting merge leaves the main worktree byte for byte as it was and lists the conflict, for every strategy", async () => {
    await using world = new World();
    const main = world.repo.repo;
    const { write } = world.repo;
    write("shared.txt", "line one\nline two\n");
    git(main, "add", "-A");
    git(main, "commit", "-q", "-m", "shared file");
    const server = await world.server();
    const tree = await taskWorktree(world, server);
    commitIn(tree, { "shared.txt": "line one\nthe task's line two\n", "only-task.txt": "t\n" }, "task edits shared");
    commitIn(main, { "shared.txt": "line one\nmain's line two\n" }, "main edits shared");
    // The main worktree has an untracked file and an ignored one: they stay as they are too.
    write("scratch.txt", "mine, untracked\n");
    const before = { git: gitState(main), files: fileHashes(main), branch: gitState(tree) };

    for (const strategy of ["merge", "squash", "rebase"]) {
      const res = await server.api("/tasks/TASK-42/merge", post({ strategy }));
      expect({ strategy, status: res.status }).toEqual({ strategy, status: 409 });
      const error = (await res.json()).error;
      expect(error).toMatchObject({ code: "merge_conflict", files: ["shared.txt"] });
      expect(error.message).toContain("shared.txt");
      expect(gitState(main)).toEqual(before.git);
      expect(fileHashes(main)).toEqual(before.files);
      // A rebase was aborted: the task branch and its worktree are as they were.
      expect(gitState(tree)).toEqual(before.branch);
    }
    const cli = await world.cli(["merge", "TASK-42"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("task/TASK-42 conflicts with main in shared.txt: nothing was changed");
  });

  test("refused, changing nothing: a dirty main worktree, one on another branch, uncommitted work in the task's worktree", async () => {
    await using world = new World();
    const main = world.repo.repo;
    const server = await world.server();
    const tree = await taskWorktree(world, server);
    commitIn(tree, { "feature.txt": "f\n" }, "feature");
    commitIn(main, { "notes.md": "v1\n" }, "notes");
    const tip = git(main, "rev-parse", "main").trim();

    writeFileSync(join(main, "notes.md"), "edited, not committed\n");
    let res = await server.api("/tasks/TASK-42/merge", post({}));
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: "conflict", files: ["notes.md"] });
    git(main, "checkout", "-q", "--", "notes.md");

    git(main, "checkout", "-q", "-b", "elsewhere");
    res = await server.api("/tasks/TASK-42/merge", post({}));
    expect((await res.json()).error.message).toContain("is on elsewhere: check out main there");
    git(main, "checkout", "-q", "main");

    writeFileSync(join(tree, "forgotten.txt"), "not committed\n");
    res = await server.api("/tasks/TASK-42/merge", post({}));
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ files: ["forgotten.txt"] });
    expect(git(main, "rev-parse", "main").trim()).toBe(tip);

    // Commit all, then it lands.
    const committed = await server.api("/tasks/TASK-42/commit", post({ message: "the forgotten file" }));
    expect(await committed.json()).toMatchObject({ id: "TASK-42", files: 1 });
    expect((await server.api("/tasks/TASK-42/merge", post({ strategy: "rebase" }))).status).toBe(200);
    // A rebase fast-forwards: no merge commit, the task's commits on top of main.
    expect(git(main, "log", "--format=%s", "-n", "2")).toBe("the forgotten file\nfeature\n");
    expect((await server.api("/tasks/TASK-42/commit", post({ message: "" }))).status).toBe(400);
    expect((await (await server.api("/tasks/TASK-42/commit", post({ message: "nothing" }))).json()).error.message).toContain(
      "nothing to commit",
    );
  });

  test("Open pull request pushes the branch to the remote, then runs gh with the base, the branch and the task's title", async () => {
    await using world = new World();
    const main = world.repo.repo;
    // A remote on disk, and a `gh` that records what it was asked and answers as gh does.
    const remote = join(world.repo.root, "remote.git");
    git(world.repo.root, "init", "-q", "--bare", remote);
    git(main, "remote", "add", "origin", remote);
    const bin = join(world.repo.root, "bin");
    const asked = join(world.repo.root, "gh-argv");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "gh"),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > '${asked}'\necho https://github.com/o/r/pull/7\n`,
    );
    chmodSync(join(bin, "gh"), 0o755);
    const server = await world.server({ PATH: `${bin}:${process.env.PATH}` });
    const tree = await taskWorktree(world, server);
    commitIn(tree, { "feature.txt": "f\n" }, "the feature");
    expect((await (await server.api("/tasks/TASK-42/worktree")).json()).pullRequest).toEqual({ available: true, reason: null });

    const res = await server.api("/tasks/TASK-42/pull-request", { method: "POST" });
    expect(await res.json()).toEqual({ id: "TASK-42", url: "https://github.com/o/r/pull/7" });
    expect(git(remote, "rev-parse", "task/TASK-42").trim()).toBe(git(tree, "rev-parse", "HEAD").trim());
    const argv = readFileSync(asked, "utf8").split("\0").slice(0, -1);
    expect(argv.slice(0, 5)).toEqual(["pr", "create", "--base=main", "--head=task/TASK-42", "--title=TASK-42: Answer everything"]);
    expect(argv[5]).toStartWith("--body=Find the question whose answer is 42.");
    expect(argv[5]).toContain("- the feature");
  });
});
