import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterCut, capLog, readCuts } from "./log-cap.ts";
import { LogFollower } from "./log-follower.ts";

/** Lines numbered from `from`, so any byte's place can be checked. */
function lines(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `line ${String(from + i).padStart(8, "0")}\n`).join("");
}

describe("the log cap", () => {
  for (const how of ["collapse-range", "copy"] as const) {
    test(`${how}: at most max bytes, the head and the tail kept, a marker between them`, () => {
      const dir = mkdtempSync(join(tmpdir(), "dispatch-cap-"));
      try {
        const log = join(dir, "r.log");
        const text = lines(0, 10_000); // 140,000 bytes
        writeFileSync(log, text);
        const cut = capLog(log, 64 * 1024, how === "copy" ? () => false : undefined);
        const after = readFileSync(log, "utf8");
        expect(after.length).toBeLessThanOrEqual(64 * 1024);
        // (Not toMatchObject with expect.any: Bun 1.4.5 writes the matchers into the object it checks.)
        if (!cut) throw new Error("the log was not cut");
        expect(after.slice(0, cut.at)).toBe(text.slice(0, cut.at));
        expect(after.slice(cut.at, cut.at + cut.marker)).toContain("MiB of this log were cut here");
        expect(text.endsWith(after.slice(cut.at + cut.marker))).toBe(true);
        expect(after.endsWith(lines(9_999, 1))).toBe(true);
        expect(readCuts(log)).toEqual([cut]);
        // Under the cap: nothing to do.
        expect(capLog(log, 64 * 1024)).toBeNull();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test("a follower's place: before the cut unchanged, after it shifted, inside it at the marker", () => {
    const cut = { at: 1000, removed: 4096, marker: 96 };
    expect(afterCut(500, cut)).toBe(500);
    expect(afterCut(1000 + 96 + 4096 + 10, cut)).toBe(1000 + 96 + 10);
    expect(afterCut(2000, cut)).toBe(1000);
  });

  test("a follower reading while the log is cut gets the head, the marker and the tail, every byte of the tail once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dispatch-cap-"));
    try {
      const log = join(dir, "r.log");
      writeFileSync(log, lines(0, 1000));
      const got: Buffer[] = [];
      const done = new Promise<void>((resolve) => {
        const follower = new LogFollower(
          log,
          0,
          (chunk) => {
            got.push(Buffer.from(chunk));
            return "ok";
          },
          () => resolve(),
        );
        follower.pump();
        // The agent writes on; the log is cut in the middle of it; the agent writes more.
        appendFileSync(log, lines(1000, 9000));
        capLog(log, 64 * 1024);
        appendFileSync(log, lines(10_000, 100));
        follower.end();
      });
      await done;
      const text = Buffer.concat(got).toString("utf8");
      expect(text.startsWith(lines(0, 1000))).toBe(true);
      expect(text).toContain("MiB of this log were cut here");
      // The tail it kept, in order, to the last line written after the cut.
      expect(text.endsWith(lines(10_000, 100))).toBe(true);
      // No line twice: the tail is not sent again after the cut.
      const numbered = text.split("\n").filter((l) => l.startsWith("line "));
      expect(new Set(numbered).size).toBe(numbered.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
