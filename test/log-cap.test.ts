// A run's log stays within `log.max`: its head and its tail with a marker between them, cut while
// the run writes and once more when it ends; the final result is in the tail (issue 13).
import { describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { git } from "./helpers/repo.ts";
import { trustRepository, World } from "./helpers/world.ts";

describe("the log cap", () => {
  test("a headless run that prints 3 MiB keeps at most 1 MiB: the head, a marker, the tail with its result", async () => {
    await using world = new World();
    world.repo.write("dispatch.config.toml", '[log]\nmax = "1 MiB"\n');
    git(world.repo.repo, "add", "-A");
    git(world.repo.repo, "commit", "-q", "-m", "cap logs");
    const server = await world.server();
    await trustRepository(server);
    const run = await (
      await server.api("/dispatch/code-review/TASK-42", {
        method: "POST",
        body: JSON.stringify({ extras: ["--fake-bytes", String(3 * 1024 * 1024)] }),
      })
    ).json();
    const done = await server.ended("code-review", "TASK-42");
    // The result at the log's end still says how it went.
    expect(done).toMatchObject({ state: "finished", exitCode: 0 });
    expect((await (await server.api("/runs?task=TASK-42")).json()).runs[0].result).toMatchObject({ costUsd: 0.0123 });
    const log = await (await server.api("/logs/code-review/TASK-42")).text();
    expect(log.length).toBeLessThanOrEqual(1024 * 1024);
    expect(statSync(`${world.stateDir}/logs/${run.runId}.log`).size).toBeLessThanOrEqual(1024 * 1024);
    const [head, tail] = log.split(
      /\n\n\[dispatch: [\d.]+ MiB of this log were cut here: its cap \(log\.max\) keeps the head and the tail\]\n\n/,
    );
    expect(tail).toBeDefined();
    expect(head?.startsWith('{"type":"system"')).toBe(true);
    expect(tail).toContain('"type":"result"');
    // Numbered lines on both sides, in order, none twice.
    const numbers = (text: string) => [...text.matchAll(/^(\d{8}) x/gm)].map((m) => Number(m[1]));
    const before = numbers(head ?? "");
    const after = numbers(tail ?? "");
    expect(before[0]).toBe(0);
    expect(Math.max(...before)).toBeLessThan(Math.min(...after));
    expect(new Set([...before, ...after]).size).toBe(before.length + after.length);
  });

  test("a cap that is not a size is a clear config error", async () => {
    await using world = new World();
    world.repo.write("dispatch.config.toml", '[log]\nmax = "a lot"\n');
    const status = await world.cli(["tasks"]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('log.max: "a lot" is not a size of at least 64 KiB');
  });
});
