import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeUtf8, FrontMatterError, hasFrontMatter, parseFrontMatter } from "./front-matter.ts";
import { toTask } from "./task.ts";

const SEED = join(import.meta.dir, "..", "..", "test", "fixtures", "tasks", "TASK-20250516T024757.md");

function errorOf(text: string): FrontMatterError {
  try {
    parseFrontMatter(text);
  } catch (error) {
    if (error instanceof FrontMatterError) return error;
    throw error;
  }
  throw new Error("expected a FrontMatterError");
}

describe("front matter", () => {
  test("the seed example parses, mis-encoded emoji and all", () => {
    const parsed = parseFrontMatter(decodeUtf8(readFileSync(SEED)));
    const task = toTask(parsed, "tasks/seed.md", SEED);
    expect(task.id).toBe("TASK-20250516T024757");
    expect(task.title).toBe("Task-Aware Claude Sessions");
    expect(task.status).toContain("To Do");
    expect(task.priority).toContain("Medium");
    expect(task.phase).toBe("backlog");
    expect(task.frontMatter.subdirectory).toBe("AREA_TaskWorktree");
    expect(task.body).toStartWith("## Feature Document");
  });

  test("CRLF line ends and a BOM", () => {
    const text = decodeUtf8(new TextEncoder().encode('\uFEFF+++\r\nid = "A-1"\r\ntitle = "x"\r\n+++\r\nbody\r\n'));
    const parsed = parseFrontMatter(text);
    expect(parsed.frontMatter.id).toBe("A-1");
    expect(parsed.body).toBe("body\n");
  });

  test("invalid UTF-8 bytes become replacement characters instead of failing", () => {
    const bytes = Buffer.concat([Buffer.from('+++\nid = "B-1"\ntitle = "caf'), Buffer.from([0xe9, 0xff]), Buffer.from('"\n+++\n')]);
    const parsed = parseFrontMatter(decodeUtf8(bytes));
    expect(parsed.frontMatter.title).toBe("caf\uFFFD\uFFFD");
  });

  test("a TOML error names the line in the whole file", () => {
    const error = errorOf('+++\nid = "A"\n\ntitle = "open\n+++\n');
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/string/i);
  });

  test("no closing fence", () => {
    expect(errorOf('+++\nid = "A"\n').message).toContain("closing +++");
  });

  test("a file that does not start with +++ is not a task", () => {
    expect(hasFrontMatter("# Notes\n")).toBe(false);
    expect(hasFrontMatter("+++\nid = 1\n+++\n")).toBe(true);
  });

  test("a missing or invalid id is a problem with a line", () => {
    expect(() => toTask(parseFrontMatter('+++\ntitle = "x"\n+++\n'), "t.md", "/t.md")).toThrow("no id");
    expect(() => toTask(parseFrontMatter('+++\nid = "a b"\n+++\n'), "t.md", "/t.md")).toThrow("not valid");
  });

  test("unknown keys are kept", () => {
    const task = toTask(parseFrontMatter('+++\nid = "X"\nowner = "me"\ntags = ["a", "b"]\n+++\n'), "t.md", "/t.md");
    expect(task.frontMatter.owner).toBe("me");
    expect(task.tags).toEqual(["a", "b"]);
    expect(task.title).toBe("X");
  });
});
