import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, tempRepo } from "../../test/helpers/repo.ts";
import { waitFor } from "../../test/helpers/world.ts";
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
  const tasks = new Map([...ids, "T-4"].map((id) => [id, { id, path: `tasks/${id}.md`, frontMatter: {} } as unknown as Task]));
  const bus = new Bus();
  const work = new TaskWork((id) => tasks.get(id) as Task, new TaskWorktrees(config, () => []), bus);
  return { work };
}

/** git's calls on this test's repository during `fn` (the shim sees every git of this process). */
async function counted(fn: () => Promise<unknown>): Promise<string[]> {
  writeFileSync(calls, "");
  await fn();
  return readFileSync(calls, "utf8")
    .split("\n")
    .filter((line) => line.includes(repo.root));
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
  // Three for all (branches, worktrees, recorded bases), then each task's status.
  expect(again.length).toBe(3 + ids.length);
  expect(again.filter((c) => c.includes(" status ")).length).toBe(ids.length);
  expect(first.length).toBeGreaterThan(again.length * 2);
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
  // The sweep's three, then T-1 in full from what the sweep read (merge base, line counts, status), the others' status.
  expect(moved.length).toBe(3 + 3 + (ids.length - 1));
  expect(work.badge("T-1")).toEqual({ files: 2, added: 5, removed: 0, uncommitted: 0 });

  // The base moves: every task is measured again (its merge base may have changed).
  writeFileSync(join(repo.repo, "base.txt"), "x\n");
  git(repo.repo, "add", "base.txt");
  git(repo.repo, "commit", "-q", "-m", "base moves");
  const based = await counted(() => work.refreshAll(ids));
  expect(based.filter((c) => c.includes("merge-base")).length).toBeGreaterThanOrEqual(ids.length);
  expect(work.badge("T-1")).toEqual({ files: 2, added: 5, removed: 0, uncommitted: 0 });
});

test("a branch measured without a worktree, then checked out in one by hand: its uncommitted work shows", async () => {
  const { work } = world();
  git(repo.repo, "branch", "task/T-4", "task/T-1");
  const all = [...ids, "T-4"];
  await work.refreshAll(all);
  expect(work.badge("T-4")).toEqual({ files: 2, added: 5, removed: 0, uncommitted: 0 });
  const tree = join(repo.root, "trees", "T-4");
  git(repo.repo, "worktree", "add", "-q", tree, "task/T-4");
  writeFileSync(join(tree, "by-hand.txt"), "new\n");
  await work.refreshAll(all);
  expect(work.badge("T-4")).toEqual({ files: 2, added: 5, removed: 0, uncommitted: 1 });
});

test("a sweep never overwrites a badge measured after its look (a commit just made), and a measure asked for during one runs again after it", async () => {
  // A stand-in for the worktrees: each measure waits until the test says what it found.
  const pending: Array<{ id: string; sweep: boolean; answer: (b: { files: number }) => void }> = [];
  const worktrees = {
    badges: {
      sweep: async () => ({ commits: new Map(), worktrees: new Map(), bases: new Map() }),
      withBranches: (list: string[]) => list,
      badge: (task: Task, sweep?: unknown) =>
        new Promise((answer) => pending.push({ id: task.id, sweep: sweep !== undefined, answer: answer as never })),
    },
  };
  const work = new TaskWork((id) => ({ id }) as Task, worktrees as unknown as TaskWorktrees, new Bus());
  const next = async (id: string, sweep: boolean) => {
    await waitFor(`a measure of ${id}`, () => pending.some((p) => p.id === id && p.sweep === sweep));
    const i = pending.findIndex((p) => p.id === id && p.sweep === sweep);
    return pending.splice(i, 1)[0] as (typeof pending)[number];
  };
  const sweeping = work.refreshAll(["A", "B"]);
  const a = await next("A", true);
  // B is measured on its own meanwhile (a commit just made), after the sweep read every branch.
  const fresh = work.refresh("B");
  (await next("B", false)).answer({ files: 2 });
  await fresh;
  expect(work.badge("B")).toEqual({ files: 2 } as never);
  a.answer({ files: 1 });
  (await next("B", true)).answer({ files: 1 });
  await sweeping;
  expect(work.badge("B")).toEqual({ files: 2 } as never);

  // A measure asked for while one runs waits for it, then measures again.
  const again = work.refresh("A");
  const twice = work.refresh("A");
  (await next("A", false)).answer({ files: 5 });
  (await next("A", false)).answer({ files: 6 });
  await Promise.all([again, twice]);
  expect(work.badge("A")).toEqual({ files: 6 } as never);
});
