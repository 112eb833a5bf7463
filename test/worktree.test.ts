import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DispatchError } from "../src-ext/errors.ts";
import { checkedOut, ensureWorktree } from "../src-ext/git/worktree.ts";
import { git, tempRepo } from "./helpers/repo.ts";
import { World } from "./helpers/world.ts";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return error instanceof DispatchError ? error.code : `other: ${error}`;
  }
}

describe("worktrees", () => {
  test("created on branch task/<id>, then reused", async () => {
    using repo = tempRepo();
    const path = join(repo.worktrees, "TASK-42");
    const first = await ensureWorktree(repo.repo, path, "task/TASK-42");
    const main = git(repo.repo, "rev-parse", "HEAD").trim();
    expect(first).toEqual({ path, branch: "task/TASK-42", created: true, base: { branch: "main", commit: main } });
    // The base goes with the branch, in the repository's own config.
    expect(git(repo.repo, "config", "branch.task/TASK-42.dispatchBase").trim()).toBe("main");
    expect(git(repo.repo, "config", "branch.task/TASK-42.dispatchBaseCommit").trim()).toBe(main);
    expect(git(path, "branch", "--show-current").trim()).toBe("task/TASK-42");
    const again = await ensureWorktree(repo.repo, path, "task/TASK-42");
    expect(again.created).toBe(false);
    expect(again.path).toBe(path);
  });

  test("the usual worktree is recognised from git's own files, without a git command; anything unusual is left to git", async () => {
    using repo = tempRepo();
    const path = join(repo.worktrees, "TASK-42");
    await ensureWorktree(repo.repo, path, "task/TASK-42");
    expect(checkedOut(repo.repo, path, "task/TASK-42")).toEqual({ path, branch: "task/TASK-42", created: false });
    // Another branch's name, a detached HEAD, a folder that is not a worktree: not recognised.
    expect(checkedOut(repo.repo, path, "task/TASK-7")).toBeNull();
    expect(checkedOut(repo.repo, repo.root, "task/TASK-42")).toBeNull();
    git(path, "checkout", "-q", "--detach");
    expect(checkedOut(repo.repo, path, "task/TASK-42")).toBeNull();
    git(path, "checkout", "-q", "task/TASK-42");
    // A copy of the worktree's `.git` file in another folder points at a record that names the first.
    const copy = join(repo.root, "copy");
    mkdirSync(copy);
    writeFileSync(join(copy, ".git"), readFileSync(join(path, ".git")));
    expect(checkedOut(repo.repo, copy, "task/TASK-42")).toBeNull();
  });

  test("an existing worktree of the branch elsewhere is located, not duplicated", async () => {
    using repo = tempRepo();
    const elsewhere = join(repo.root, "mine");
    git(repo.repo, "worktree", "add", "-b", "task/TASK-42", elsewhere);
    const found = await ensureWorktree(repo.repo, join(repo.worktrees, "TASK-42"), "task/TASK-42");
    expect(found).toEqual({ path: elsewhere, branch: "task/TASK-42", created: false, base: null });
    expect(existsSync(repo.worktrees)).toBe(false);
  });

  test("an existing branch without a worktree gets one", async () => {
    using repo = tempRepo();
    git(repo.repo, "branch", "task/TASK-42");
    const made = await ensureWorktree(repo.repo, join(repo.worktrees, "TASK-42"), "task/TASK-42");
    expect(made.created).toBe(true);
  });

  test("concurrent creation from many callers makes one worktree", async () => {
    using repo = tempRepo();
    const path = join(repo.worktrees, "TASK-42");
    const all = await Promise.all(Array.from({ length: 6 }, () => ensureWorktree(repo.repo, path, "task/TASK-42")));
    expect(new Set(all.map((w) => w.path)).size).toBe(1);
    expect(all.filter((w) => w.created).length).toBe(1);
  });

  test("clear errors, nothing half-made", async () => {
    using plain = tempRepo({ git: false });
    expect(await codeOf(ensureWorktree(plain.repo, join(plain.worktrees, "T"), "task/T"))).toBe("not_a_repo");
    expect(existsSync(plain.worktrees)).toBe(false);

    using empty = tempRepo({ commit: false });
    expect(await codeOf(ensureWorktree(empty.repo, join(empty.worktrees, "T"), "task/T"))).toBe("not_a_repo");
    expect(existsSync(empty.worktrees)).toBe(false);

    using busy = tempRepo();
    git(busy.repo, "checkout", "-q", "-b", "task/T");
    expect(await codeOf(ensureWorktree(busy.repo, join(busy.worktrees, "T"), "task/T"))).toBe("branch_in_use");
    expect(existsSync(busy.worktrees)).toBe(false);

    using squatted = tempRepo();
    mkdirSync(join(squatted.worktrees, "T"), { recursive: true });
    writeFileSync(join(squatted.worktrees, "T", "precious.txt"), "mine");
    expect(await codeOf(ensureWorktree(squatted.repo, join(squatted.worktrees, "T"), "task/T"))).toBe("branch_in_use");
    expect(readdirSync(join(squatted.worktrees, "T"))).toEqual(["precious.txt"]);
  });
});

describe("worktree errors through the API and the CLI", () => {
  test("the branch checked out in the main working tree: 409 with the reason, recorded as a failed run", async () => {
    await using world = new World();
    git(world.repo.repo, "checkout", "-q", "-b", "task/TASK-42");
    const server = await world.server();
    const res = await server.api("/dispatch/code-review/TASK-42", { method: "POST" });
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.code).toBe("branch_in_use");
    expect(body.error.message).toContain("main working tree");
    expect(world.agentRuns()).toEqual([]);
    const status = await (await server.api("/status/code-review/TASK-42")).json();
    expect(status.state).toBe("failed");
    expect(status.reason).toContain("could not start");
  });

  test("not a git repository: the CLI says so and exits 1", async () => {
    await using world = new World({ git: false });
    const result = await world.cli(["code-review", "TASK-42"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not a git repository");
    expect(existsSync(world.repo.worktrees)).toBe(false);
  });

  test("two modes started at once from two CLI processes share one new worktree", async () => {
    await using world = new World();
    const [a, b] = await Promise.all([world.cli(["code-review", "TASK-42", "--detach"]), world.cli(["doc-gen", "TASK-42", "--detach"])]);
    expect({ code: a.code, stderr: a.stderr }).toMatchObject({ code: 0 });
    expect({ code: b.code, stderr: b.stderr }).toMatchObject({ code: 0 });
    const list = git(world.repo.repo, "worktree", "list", "--porcelain");
    expect(list.match(/branch refs\/heads\/task\/TASK-42/g)?.length).toBe(1);
  });
});
