import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, tempRepo } from "../../test/helpers/repo.ts";
import { loadConfig } from "../config.ts";
import { Bus } from "../events.ts";
import type { Task } from "../tasks/task.ts";
import { TaskWork } from "./task-work.ts";
import { TaskWorktrees } from "./task-worktrees.ts";

/**
 * What a board that opens costs: every task with a branch is measured (work done by hand sends
 * no event), with real git in a temp repository and a `git` on the PATH that counts its calls.
 */
const repo = tempRepo();
const ids = ["T-1", "T-2", "T-3"];
const shim = join(repo.root, "shim");
const calls = join(shim, "calls");
const path = process.env.PATH;

beforeAll(() => {
  for (const id of ids) {
    const tree = join(repo.root, "trees", id);
    git(repo.repo, "worktree", "add", "-q", "-b", `task/${id}`, tree);
    writeFileSync(join(tree, `${id}.txt`), "one\ntwo\n");
    git(tree, "add", ".");
    git(tree, "commit", "-q", "-m", id);
  }
  writeFileSync(join(repo.root, "trees", "T-2", "by-hand.txt"), "uncommitted\n");
  mkdirSync(shim);
  const real = Bun.which("git") as string;
  writeFileSync(join(shim, "git"), `#!/bin/sh\necho "$*" >> '${calls}'\nexec '${real}' "$@"\n`);
  chmodSync(join(shim, "git"), 0o755);
  process.env.PATH = `${shim}:${path}`;
});
afterAll(() => {
  process.env.PATH = path;
  repo[Symbol.dispose]();
});

function world() {
  const config = loadConfig({ DISPATCH_REPO: repo.repo }, repo.repo);
  const tasks = new Map(ids.map((id) => [id, { id, path: `tasks/${id}.md`, frontMatter: {} } as unknown as Task]));
  const bus = new Bus();
  const work = new TaskWork((id) => tasks.get(id) as Task, new TaskWorktrees(config, () => []), bus);
  return { work };
}

/** git's calls during `fn`. */
async function counted(fn: () => Promise<unknown>): Promise<string[]> {
  writeFileSync(calls, "");
  await fn();
  return readFileSync(calls, "utf8").split("\n").filter(Boolean);
}

test("a board that opens again costs one git command per task whose branch and base stayed, and the same badges", async () => {
  const { work } = world();
  const first = await counted(() => work.refreshAll(ids));
  const badges = ids.map((id) => work.badge(id));
  expect(badges).toEqual([
    { files: 1, added: 2, removed: 0, uncommitted: 0 },
    { files: 1, added: 2, removed: 0, uncommitted: 1 },
    { files: 1, added: 2, removed: 0, uncommitted: 0 },
  ]);
  const again = await counted(() => work.refreshAll(ids));
  // One for every branch's commit, then each task's status.
  expect(again.length).toBe(1 + ids.length);
  expect(again.filter((c) => c.includes(" status ")).length).toBe(ids.length);
  expect(first.length).toBeGreaterThan(again.length * 3);
  expect(ids.map((id) => work.badge(id))).toEqual(badges);

  // Work done by hand shows: the status runs every time.
  rmSync(join(repo.root, "trees", "T-2", "by-hand.txt"));
  writeFileSync(join(repo.root, "trees", "T-3", "by-hand.txt"), "new\n");
  await work.refreshAll(ids);
  expect(ids.map((id) => work.badge(id)?.uncommitted)).toEqual([0, 0, 1]);
});

test("a branch that moved, or a base that moved, is measured in full again", async () => {
  const { work } = world();
  await work.refreshAll(ids);
  const tree = join(repo.root, "trees", "T-1");
  writeFileSync(join(tree, "more.txt"), "a\nb\nc\n");
  git(tree, "add", "more.txt");
  git(tree, "commit", "-q", "-m", "more");
  const moved = await counted(() => work.refreshAll(ids));
  expect(moved.length).toBeGreaterThan(1 + ids.length);
  expect(work.badge("T-1")).toEqual({ files: 2, added: 5, removed: 0, uncommitted: 0 });

  // The base moves: every task is measured again (its merge base may have changed).
  writeFileSync(join(repo.repo, "base.txt"), "x\n");
  git(repo.repo, "add", "base.txt");
  git(repo.repo, "commit", "-q", "-m", "base moves");
  const based = await counted(() => work.refreshAll(ids));
  expect(based.filter((c) => c.includes("merge-base")).length).toBeGreaterThanOrEqual(ids.length);
  expect(work.badge("T-1")).toEqual({ files: 2, added: 5, removed: 0, uncommitted: 0 });
});
