import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TaskStore } from "./task-store.ts";

const task = (id: string, title = id) => `+++\nid = "${id}"\ntitle = "${title}"\n+++\nbody\n`;

function withRepo(fn: (repo: string) => Promise<void>): Promise<void> {
  const repo = mkdtempSync(join(tmpdir(), "dispatch-store-"));
  return fn(repo).finally(() => rmSync(repo, { recursive: true, force: true }));
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await Bun.sleep(20);
  }
  throw new Error("the store did not notice the change");
}

describe("task store", () => {
  test("reads tasks at any depth; a broken file is a problem that hides nothing else", () =>
    withRepo(async (repo) => {
      mkdirSync(join(repo, "tasks", "a", "b"), { recursive: true });
      writeFileSync(join(repo, "tasks", "one.md"), task("ONE"));
      writeFileSync(join(repo, "tasks", "a", "b", "deep.md"), task("DEEP"));
      writeFileSync(join(repo, "tasks", "a", "bad.md"), '+++\nid = "BAD"\ntitle = \n+++\n');
      writeFileSync(join(repo, "tasks", "a", "notes.md"), "# just notes\n");
      writeFileSync(join(repo, "tasks", "dup.md"), task("ONE", "again"));
      const store = new TaskStore(repo, join(repo, "tasks")).load();
      expect(store.all().map((t) => t.id)).toEqual(["DEEP", "ONE"]);
      expect(store.get("DEEP")?.path).toBe("tasks/a/b/deep.md");
      const problems = store.problems();
      expect(problems).toContainEqual(expect.objectContaining({ file: "tasks/a/bad.md", line: 3 }));
      expect(problems).toContainEqual(
        expect.objectContaining({ file: "tasks/one.md", reason: expect.stringContaining("duplicate id ONE") }),
      );
      expect(problems.length).toBe(2);
    }));

  test("notices added, changed and removed files without a restart", () =>
    withRepo(async (repo) => {
      mkdirSync(join(repo, "tasks"));
      let changes = 0;
      const store = new TaskStore(repo, join(repo, "tasks"), () => changes++).load().watch();
      try {
        writeFileSync(join(repo, "tasks", "new.md"), task("NEW", "first"));
        await until(() => store.get("NEW")?.title === "first");
        writeFileSync(join(repo, "tasks", "new.md"), task("NEW", "second title"));
        await until(() => store.get("NEW")?.title === "second title");
        mkdirSync(join(repo, "tasks", "sub"));
        writeFileSync(join(repo, "tasks", "sub", "x.md"), task("SUB"));
        await until(() => store.get("SUB") !== undefined);
        unlinkSync(join(repo, "tasks", "new.md"));
        await until(() => store.get("NEW") === undefined);
        expect(changes).toBeGreaterThan(0);
      } finally {
        store.close();
      }
    }));

  test("a missing tasks folder is a problem, and is picked up once it appears", () =>
    withRepo(async (repo) => {
      const store = new TaskStore(repo, join(repo, "tasks")).load().watch();
      try {
        expect(store.problems()[0]?.reason).toContain("does not exist");
        mkdirSync(join(repo, "tasks"));
        await until(() => store.problems().length === 0);
        writeFileSync(join(repo, "tasks", "late.md"), task("LATE"));
        await until(() => store.get("LATE") !== undefined);
      } finally {
        store.close();
      }
    }));
});
