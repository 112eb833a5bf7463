// Removing a task's worktree never loses a file: refused while a run is live or while work would
// be lost; forced, everything is saved first to a backup ref that gives it all back (DESIGN §13).
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git } from "./helpers/repo.ts";
import { commitIn, fileHashes, taskWorktree } from "./helpers/worktree-fixtures.ts";
import { World } from "./helpers/world.ts";

const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });

describe("removing a task's worktree", () => {
  test("refused while a run of the task is live, and while it holds uncommitted or unmerged work", async () => {
    await using world = new World();
    const server = await world.server();
    const tree = await taskWorktree(world, server);
    // Live: an interactive run in the same worktree.
    await server.api("/dispatch/interactive/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "60"] }) });
    let res = await server.api("/tasks/TASK-42/remove", post({ force: true }));
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toBe("interactive on TASK-42 is live in its worktree: stop it first; nothing was removed");
    expect(existsSync(tree)).toBe(true);
    await server.api("/stop/interactive/TASK-42", { method: "POST" });

    // Dirty: the answer lists what would be lost.
    writeFileSync(join(tree, "draft.txt"), "unsaved thoughts\n");
    res = await server.api("/tasks/TASK-42/remove", post({}));
    expect(res.status).toBe(409);
    const error = (await res.json()).error;
    expect(error).toMatchObject({ code: "would_lose_work", uncommitted: ["draft.txt"], unmerged: 0 });
    expect(error.message).toContain("would lose 1 uncommitted file (draft.txt)");
    expect(existsSync(join(tree, "draft.txt"))).toBe(true);

    // Unmerged commits count only when the branch would go too.
    git(tree, "add", "-A");
    git(tree, "commit", "-q", "-m", "draft");
    res = await server.api("/tasks/TASK-42/remove", post({ deleteBranch: true }));
    expect((await res.json()).error).toMatchObject({ code: "would_lose_work", uncommitted: [], unmerged: 1 });
    const cli = await world.cli(["remove", "TASK-42", "--delete-branch"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("1 commit not merged into main");
    // Keeping the branch loses nothing: removed without force, no backup needed.
    res = await server.api("/tasks/TASK-42/remove", post({}));
    expect(await res.json()).toMatchObject({ removed: tree, branchDeleted: false, backup: null });
    expect(existsSync(tree)).toBe(false);
    expect(git(world.repo.repo, "rev-parse", "--verify", "task/TASK-42^{commit}")).toBeTruthy();
  });

  test("forced: everything is saved to refs/dispatch/backup first; restoring it gives back every file byte for byte, untracked included", async () => {
    await using world = new World();
    const server = await world.server();
    const tree = await taskWorktree(world, server);
    commitIn(tree, { "committed.txt": "on the branch\n" }, "a commit not merged");
    // Uncommitted: a modified tracked file, a deleted one, an untracked file in a new folder, an executable, a binary.
    writeFileSync(join(tree, "committed.txt"), "on the branch, then edited\n");
    git(tree, "rm", "-q", "tasks/area/TASK-7.md");
    mkdirSync(join(tree, "new", "deep"), { recursive: true });
    writeFileSync(join(tree, "new", "deep", "untracked.txt"), "never added\n");
    writeFileSync(join(tree, "run.sh"), "#!/bin/sh\necho hi\n");
    chmodSync(join(tree, "run.sh"), 0o755);
    writeFileSync(join(tree, "blob.bin"), Buffer.from([0, 1, 2, 255, 0, 7]));
    const before = fileHashes(tree);

    const res = await server.api("/tasks/TASK-42/remove", post({ force: true, deleteBranch: true }));
    expect(res.status).toBe(200);
    const removed = await res.json();
    expect(removed).toMatchObject({ id: "TASK-42", removed: tree, branchDeleted: true });
    expect(removed.backup.ref).toMatch(/^refs\/dispatch\/backup\/TASK-42\/\d{8}T\d{6}Z$/);
    expect(existsSync(tree)).toBe(false);
    expect(git(world.repo.repo, "branch", "--list", "task/TASK-42")).toBe("");

    // Restore as the answer says: every file back, byte for byte, and the executable bit.
    // The command the answer gives, pasted into a shell as the user would.
    const pasted = Bun.spawnSync(["sh", "-c", removed.backup.restore], { stdout: "pipe", stderr: "pipe" });
    expect(pasted.exitCode).toBe(0);
    const restored = join(world.repo.worktrees, "TASK-42-restored");
    expect(fileHashes(restored)).toEqual(before);
    expect(Bun.spawnSync(["test", "-x", join(restored, "run.sh")]).exitCode).toBe(0);
    // The branch's own commit is there too, under the backup commit.
    expect(git(restored, "log", "--format=%s", "-n", "2")).toContain("a commit not merged");
  });

  test("a git repository inside the worktree (an agent's clone) cannot be backed up: refused even when forced", async () => {
    await using world = new World();
    const server = await world.server();
    const tree = await taskWorktree(world, server);
    git(world.repo.root, "init", "-q", join(tree, "vendor-clone"));
    writeFileSync(join(tree, "vendor-clone", "work.txt"), "only here\n");
    const res = await server.api("/tasks/TASK-42/remove", post({ force: true }));
    expect(res.status).toBe(409);
    const error = (await res.json()).error;
    expect(error).toMatchObject({ code: "would_lose_work", nested: ["vendor-clone/"] });
    expect(error.message).toContain("holds a git repository of its own (vendor-clone/)");
    expect(existsSync(join(tree, "vendor-clone", "work.txt"))).toBe(true);
  });
});
