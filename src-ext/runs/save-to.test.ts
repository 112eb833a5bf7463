import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeInside } from "./save-to.ts";

const dirs: string[] = [];
function place(): { worktree: string; outside: string } {
  const root = mkdtempSync(join(tmpdir(), "dispatch-save-"));
  dirs.push(root);
  mkdirSync(join(root, "wt"));
  mkdirSync(join(root, "outside"));
  writeFileSync(join(root, "outside", "precious"), "keep me");
  return { worktree: join(root, "wt"), outside: join(root, "outside") };
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("--save-to writes inside the worktree only", () => {
  test("a plain path, with folders made on the way", () => {
    const { worktree } = place();
    writeInside(worktree, join(worktree, "docs", "review.md"), "answer");
    expect(readFileSync(join(worktree, "docs", "review.md"), "utf8")).toBe("answer");
  });

  test("a committed link to a file outside is refused, and the file outside is untouched", () => {
    const { worktree, outside } = place();
    symlinkSync(join(outside, "precious"), join(worktree, "review.md"));
    expect(() => writeInside(worktree, join(worktree, "review.md"), "pwned")).toThrow("review.md is a symbolic link");
    expect(readFileSync(join(outside, "precious"), "utf8")).toBe("keep me");
    expect(lstatSync(join(worktree, "review.md")).isSymbolicLink()).toBe(true);
  });

  test("a link to a folder on the way is refused, nothing is created outside", () => {
    const { worktree, outside } = place();
    symlinkSync(outside, join(worktree, "docs"));
    expect(() => writeInside(worktree, join(worktree, "docs", "new.md"), "pwned")).toThrow("docs is a symbolic link");
    expect(existsSync(join(outside, "new.md"))).toBe(false);
  });

  test("a file with another name (a hard link) is refused, and neither name is truncated", () => {
    const { worktree, outside } = place();
    linkSync(join(outside, "precious"), join(worktree, "review.md"));
    expect(() => writeInside(worktree, join(worktree, "review.md"), "pwned")).toThrow("has other names");
    expect(readFileSync(join(outside, "precious"), "utf8")).toBe("keep me");
  });

  test("a path that leaves the worktree is refused", () => {
    const { worktree, outside } = place();
    expect(() => writeInside(worktree, join(outside, "precious"), "pwned")).toThrow("is not inside");
    expect(readFileSync(join(outside, "precious"), "utf8")).toBe("keep me");
  });
});
