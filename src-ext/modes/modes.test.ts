import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task } from "../tasks/task.ts";
import { ModeStore } from "./mode-store.ts";
import { renderPrompt } from "./prompt.ts";

const task: Task = {
  id: "TASK-42",
  title: "Answer",
  status: "todo",
  priority: null,
  phase: null,
  type: null,
  tags: [],
  path: "tasks/t.md",
  absolutePath: "/r/tasks/t.md",
  body: "\nThe body.\n",
  frontMatter: { id: "TASK-42", owner: "ada", tags: ["x", "y"], estimate: 3 },
};

const everything = () => true;
const nothing = () => false;

describe("modes", () => {
  test("built-ins: interactive, code-review, doc-gen, test-writer", () => {
    const store = new ModeStore(mkdtempSync(join(tmpdir(), "m-"))).load();
    const names = store.all(nothing).map((m) => m.mode.name);
    expect(names).toEqual(expect.arrayContaining(["interactive", "code-review", "doc-gen", "test-writer"]));
    expect(store.resolve("interactive", nothing).mode?.interactive).toBe(true);
    expect(store.resolve("code-review", nothing).mode?.args).toContain("-p");
    expect(store.resolve("code-review", nothing).mode?.extras.map((e) => e.name)).toContain("--save-to");
  });

  test("repo modes add and override once trusted; until then a replacement is ignored for the built-in", () => {
    const repo = mkdtempSync(join(tmpdir(), "m-"));
    try {
      mkdirSync(join(repo, ".dispatch", "modes"), { recursive: true });
      writeFileSync(join(repo, ".dispatch", "modes", "lint.toml"), 'interactive = false\nargs = ["-p"]\nprompt = "lint {{task.id}}"\n');
      writeFileSync(join(repo, ".dispatch", "modes", "code-review.toml"), 'name = "code-review"\ninteractive = false\nprompt = "mine"\n');
      writeFileSync(join(repo, ".dispatch", "modes", "status.toml"), 'interactive = true\nprompt = "x"\n');
      writeFileSync(join(repo, ".dispatch", "modes", "broken.toml"), "interactive = \n");
      const store = new ModeStore(repo).load();
      expect(store.resolve("lint", everything).mode?.source).toBe("repo");
      expect(store.resolve("code-review", everything).mode?.prompt).toBe("mine");
      expect(store.resolve("status", everything).mode).toBeNull();
      // Untrusted: the built-in code-review, and lint cannot run; both are said.
      const review = store.resolve("code-review", nothing);
      expect(review.mode?.source).toBe("builtin");
      expect(review.ignored?.item).toMatchObject({ kind: "mode", path: ".dispatch/modes/code-review.toml", overrides: "code-review" });
      expect(store.resolve("lint", nothing)).toMatchObject({ mode: null, ignored: { item: { path: ".dispatch/modes/lint.toml" } } });
      const listed = Object.fromEntries(store.all(nothing).map((m) => [m.mode.name, m]));
      expect(listed["code-review"]).toMatchObject({ trusted: false, overrides: true, mode: { source: "builtin" } });
      expect(listed.lint).toMatchObject({ trusted: false, overrides: false, mode: { source: "repo" } });
      const problems = store.problems().map((p) => p.file);
      expect(problems).toEqual([".dispatch/modes/broken.toml", ".dispatch/modes/status.toml"]);
      expect(store.problems()[1]?.reason).toContain("reserved");
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  test("templates see the task, its front matter, the worktree, the branch and the mode", () => {
    const text = renderPrompt(
      "{{task.id}}|{{task.title}}|{{task.body}}|{{task.path}}|{{task.owner}}|{{task.tags}}|{{task.estimate}}|{{task.nope}}|{{worktree}}|{{branch}}|{{mode}}",
      { task, worktree: "/w", branch: "task/TASK-42", mode: "m" },
    );
    expect(text).toBe("TASK-42|Answer|The body.|tasks/t.md|ada|x, y|3||/w|task/TASK-42|m");
  });

  test("a template's text is not interpreted twice", () => {
    const evil = { ...task, title: "{{worktree}} $(rm -rf /)" };
    expect(renderPrompt("{{task.title}}", { task: evil, worktree: "/w", branch: "b", mode: "m" })).toBe("{{worktree}} $(rm -rf /)");
  });
});
