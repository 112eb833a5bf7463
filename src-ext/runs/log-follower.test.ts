import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogFollower, type LogSink } from "./log-follower.ts";

const dirs: string[] = [];
function logFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-log-"));
  dirs.push(dir);
  const file = join(dir, "run.log");
  writeFileSync(file, text);
  return file;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A sink that keeps what it got and wakes whoever waits for some text to have arrived. */
function collector(status: () => ReturnType<LogSink> = () => "ok") {
  let text = "";
  const waiting = new Set<() => void>();
  const sink: LogSink = (chunk) => {
    text += Buffer.from(chunk).toString();
    for (const wake of waiting) wake();
    return status();
  };
  const has = (wanted: string) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        if (!text.includes(wanted)) return;
        waiting.delete(wake);
        resolve();
      };
      waiting.add(wake);
      wake();
    });
  return { sink, has, text: () => text };
}

describe("log follower", () => {
  test("from a byte offset, then live as the file grows, then done once ended and every byte was handed over", async () => {
    const file = logFile("0123456789");
    const got = collector();
    let done: (reason: string) => void = () => {};
    const finished = new Promise<string>((resolve) => {
      done = resolve;
    });
    const follower = new LogFollower(file, 4, got.sink, (reason) => done(reason));
    follower.pump();
    await got.has("456789");
    appendFileSync(file, "-more");
    await got.has("-more");
    appendFileSync(file, "-last");
    follower.end();
    expect(await finished).toBe("ended");
    expect(got.text()).toBe("456789-more-last");
  });

  test("a paused sink gets nothing more until pump(); a closed one ends the follower as failed", async () => {
    const file = logFile("a".repeat(600 * 1024));
    let answer: ReturnType<LogSink> = "pause";
    const got = collector(() => answer);
    const reasons: string[] = [];
    const follower = new LogFollower(file, 0, got.sink, (reason) => reasons.push(reason));
    follower.pump();
    // One chunk (256 KiB), then it waits.
    expect(got.text().length).toBe(256 * 1024);
    answer = "ok";
    follower.pump();
    expect(got.text().length).toBe(600 * 1024);
    answer = "closed";
    appendFileSync(file, "b");
    follower.pump();
    expect(reasons).toEqual(["failed"]);
  });
});
