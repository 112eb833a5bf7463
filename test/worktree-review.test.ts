// Reviewing a task's work with real git: exact counts against the merge base, commits, uncommitted
// files, renames and binary files, through the API and `dispatch diff` (DESIGN §13).
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { git } from "./helpers/repo.ts";
import { commitIn, taskWorktree } from "./helpers/worktree-fixtures.ts";
import { World } from "./helpers/world.ts";

describe("reviewing a task's work", () => {
  test("two commits and an uncommitted edit: exact numstat, ahead/behind, commits and uncommitted files", async () => {
    await using world = new World();
    const server = await world.server();
    const tree = await taskWorktree(world, server);
    commitIn(tree, { "a.txt": "one\ntwo\nthree\n" }, "add a");
    commitIn(tree, { "a.txt": "one\n2\nthree\nfour\n", "b.txt": "b1\nb2\n" }, "edit a, add b");
    // The base moves on by one commit of its own.
    commitIn(world.repo.repo, { "main-only.txt": "x\n" }, "on main");
    // Uncommitted: an edit to b.txt, a new untracked file.
    writeFileSync(join(tree, "b.txt"), "b1\nb2\nb3\n");
    writeFileSync(join(tree, "c.txt"), "1\n2\n3\n4");

    const review = await (await server.api("/tasks/TASK-42/worktree")).json();
    expect(review).toMatchObject({ id: "TASK-42", path: tree, branch: "task/TASK-42", base: "main", ahead: 2, behind: 1 });
    expect(review.mergeBase).toBe(review.baseCommit);
    expect(review.commits.map((c: { subject: string }) => c.subject)).toEqual(["edit a, add b", "add a"]);
    expect(review.files).toEqual([
      { path: "a.txt", oldPath: null, status: "added", added: 4, removed: 0, binary: false },
      { path: "b.txt", oldPath: null, status: "added", added: 2, removed: 0, binary: false },
    ]);
    expect(review.uncommitted).toEqual([
      { path: "b.txt", oldPath: null, status: "modified", added: 1, removed: 0, binary: false },
      { path: "c.txt", oldPath: null, status: "untracked", added: 4, removed: 0, binary: false },
    ]);
    // The board's badge follows.
    const listed = (await (await server.api("/tasks")).json()).tasks.find((t: { id: string }) => t.id === "TASK-42");
    expect(listed.changes).toEqual({ files: 2, added: 6, removed: 0, uncommitted: 2 });

    // The diff, committed and uncommitted, and the CLI's --stat.
    const diff = await server.api("/tasks/TASK-42/diff");
    expect(diff.headers.get("content-type")).toBe("text/x-diff; charset=utf-8");
    const text = await diff.text();
    expect(text).toContain("+++ b/a.txt");
    expect(text).not.toContain("main-only.txt");
    const pending = await (await server.api("/tasks/TASK-42/diff?scope=uncommitted")).text();
    expect(pending).toContain("+b3");
    expect(pending).toContain("+++ b/c.txt");
    const one = await (await server.api("/tasks/TASK-42/diff?file=b.txt")).text();
    expect(one).toContain("+++ b/b.txt");
    expect(one).not.toContain("a.txt");
    const stat = await world.cli(["diff", "TASK-42", "--stat"]);
    expect(stat.code).toBe(0);
    expect(stat.stdout).toContain("task/TASK-42 → main: 2 commits ahead, 1 behind");
    expect(stat.stdout).toMatch(/a\.txt\s+\+4 -0/);
    expect(stat.stdout).toMatch(/c\.txt\s+\+4 -0\s+untracked/);
  });

  test("a renamed file and a binary file are shown as such", async () => {
    await using world = new World();
    const { write, repo } = world.repo;
    write("old-name.txt", `${"line\n".repeat(20)}`);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "a file to rename");
    const server = await world.server();
    const tree = await taskWorktree(world, server);
    git(tree, "mv", "old-name.txt", "new-name.txt");
    commitIn(
      tree,
      { "new-name.txt": `${"line\n".repeat(20)}one more\n`, "image.bin": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 255]) },
      "rename, add a binary",
    );
    const review = await (await server.api("/tasks/TASK-42/worktree")).json();
    expect(review.files).toEqual([
      { path: "image.bin", oldPath: null, status: "added", added: null, removed: null, binary: true },
      { path: "new-name.txt", oldPath: "old-name.txt", status: "renamed", added: 1, removed: 0, binary: false },
    ]);
    const text = await (await server.api("/tasks/TASK-42/diff")).text();
    expect(text).toContain("rename from old-name.txt\nrename to new-name.txt");
    expect(text).toContain("Binary files /dev/null and b/image.bin differ");
    const renamed = await (await server.api(`/tasks/TASK-42/diff?file=${encodeURIComponent("new-name.txt")}`)).text();
    expect(renamed).toContain("rename from old-name.txt");
  });

  test("the worktree actually found for the task's branch is used, wherever it lives", async () => {
    await using world = new World();
    const elsewhere = join(world.repo.root, "my-own-checkout");
    git(world.repo.repo, "worktree", "add", "-q", "-b", "task/TASK-42", elsewhere);
    writeFileSync(join(elsewhere, "mine.txt"), "made by hand\n");
    const server = await world.server();
    const review = await (await server.api("/tasks/TASK-42/worktree")).json();
    expect(review).toMatchObject({ path: elsewhere, base: "main", uncommitted: [{ path: "mine.txt", status: "untracked" }] });
    const refused = await (await server.api("/tasks/TASK-42/remove", { method: "POST", body: "{}" })).json();
    expect(refused.error).toMatchObject({ code: "would_lose_work", uncommitted: ["mine.txt"] });
  });

  test("work done by hand in a worktree shows on the board once a board opens (it sends no event of its own)", async () => {
    await using world = new World();
    const server = await world.server();
    const watching = await server.events();
    const tree = await taskWorktree(world, server);
    // The run's end measured the work once; nothing measures it after that on its own.
    await watching.next("the first measure", (m) => m.type === "worktree.changed" && m.taskId === "TASK-42");
    writeFileSync(join(tree, "by-hand.txt"), "one\ntwo\n");
    const events = await server.events();
    const changed = await events.next(
      "the task's work",
      (m) => m.type === "worktree.changed" && m.taskId === "TASK-42" && (m.changes as { uncommitted: number } | null)?.uncommitted === 1,
    );
    expect(changed.changes).toEqual({ files: 0, added: 0, removed: 0, uncommitted: 1 });
  });

  test("bad input: a file not in the review, an unknown scope, a task without a branch, an invalid id", async () => {
    await using world = new World();
    const server = await world.server();
    const noBranch = await server.api("/tasks/TASK-42/worktree");
    expect(noBranch.status).toBe(404);
    expect((await noBranch.json()).error.message).toContain("has no branch task/TASK-42 yet");
    await taskWorktree(world, server);
    const cases: Array<[string, number]> = [
      ["/tasks/TASK-42/diff?file=../../etc/passwd", 404],
      ["/tasks/TASK-42/diff?file=%3A(glob)*", 404],
      ["/tasks/TASK-42/diff?scope=everything", 400],
      ["/tasks/..%2Fx/worktree", 400],
      ["/tasks/NOPE/worktree", 404],
    ];
    for (const [path, status] of cases) {
      const res = await server.api(path);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect((await res.json()).error.code).toBeString();
    }
    const wrongMethod = await server.api("/tasks/TASK-42/merge");
    expect(wrongMethod.status).toBe(405);
    // No GitHub CLI or no remote (a temp repo has none): no pull request, and the review says why.
    const review = await (await server.api("/tasks/TASK-42/worktree")).json();
    expect(review.pullRequest).toMatchObject({ available: false, reason: expect.stringMatching(/not installed|no remote/) });
    const pr = await server.api("/tasks/TASK-42/pull-request", { method: "POST" });
    expect(pr.status).toBe(409);
    expect((await pr.json()).error.message).toMatch(
      /^cannot open a pull request: (the GitHub CLI \(gh\) is not installed|the repository has no remote)$/,
    );
  });
});
