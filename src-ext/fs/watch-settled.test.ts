import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watchSettled } from "./watch-settled.ts";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The engine is busy with one hook line when the next one is appended: the listener appends the
 * second line itself, then waits for a notice after which it can read both. With Bun's own
 * fs.watch in place of watchSettled this test never ends (measured with Bun 1.4.5).
 */
function secondLineSeen(watcher: typeof watchSettled): Promise<string[]> {
  dir = mkdtempSync(join(tmpdir(), "dispatch-watch-"));
  const file = join(dir, "run.jsonl");
  appendFileSync(file, "");
  return new Promise((resolve) => {
    let calls = 0;
    const w = watcher(dir, {}, (_event, name) => {
      if (String(name) !== "run.jsonl") return;
      calls++;
      if (calls === 1) appendFileSync(file, "second\n");
      const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
      if (lines.length === 2 && calls > 1) {
        w.close();
        resolve(lines);
      }
    });
    appendFileSync(file, "first\n");
  });
}

describe("watching a folder whose files change twice in a row", () => {
  test("a change that lands while the previous one is delivered is still reported", async () => {
    expect(await secondLineSeen(watchSettled)).toEqual(["first", "second"]);
  });
});
