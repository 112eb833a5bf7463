// The state folder stays bounded: each task keeps its newest `retention.runs` ended runs with their
// files; older ones are forgotten (files first), their cost stays in the task's total, and a live
// run is never touched (issue 13).
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { git } from "./helpers/repo.ts";
import { trustRepository, World } from "./helpers/world.ts";

/** Every run id that has any file in the state folder. */
function runsOnDisk(stateDir: string): Set<string> {
  const ids = new Set<string>();
  for (const dir of ["logs", "exits", "specs", "pids", "events", "prompts", "agents", "decisions"]) {
    for (const file of readdirSync(join(stateDir, dir))) ids.add(file.split(".")[0] as string);
  }
  return ids;
}

describe("retention", () => {
  test("a task keeps its newest runs and their files; what the others cost stays in its total; a live run stays", async () => {
    await using world = new World();
    world.repo.write("dispatch.config.toml", "[retention]\nruns = 2\n");
    git(world.repo.repo, "add", "-A");
    git(world.repo.repo, "commit", "-q", "-m", "keep two runs");
    const server = await world.server();
    await trustRepository(server);
    // A live run of another mode on the same task, started first: the oldest, and never forgotten.
    const live = await (
      await server.api("/dispatch/interactive/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "60"] }) })
    ).json();
    const ended: string[] = [];
    for (let i = 0; i < 5; i++) {
      ended.push((await (await server.api("/dispatch/code-review/TASK-42", { method: "POST" })).json()).runId);
      await server.ended("code-review", "TASK-42");
    }
    const kept = (await (await server.api("/runs?task=TASK-42")).json()).runs.map((r: { runId: string }) => r.runId);
    expect(kept).toEqual([ended[4], ended[3], live.runId]);
    expect([...runsOnDisk(world.stateDir)].sort()).toEqual([...kept].sort());
    // Five runs at $0.0123 each (the fake agent's result), whatever was forgotten.
    const task = (await (await server.api("/tasks/TASK-42")).json()) as { costUsd: number };
    expect(task.costUsd).toBeCloseTo(5 * 0.0123, 6);
    expect((await (await server.api("/status/interactive/TASK-42")).json()).state).toBe("running");
    await server.api("/stop/interactive/TASK-42", { method: "POST" });
  });

  test("a server that starts forgets what is beyond the limit (runs from before the limit was set)", async () => {
    await using world = new World();
    const first = await world.server();
    for (let i = 0; i < 4; i++) {
      await first.api("/dispatch/code-review/TASK-7", { method: "POST" });
      await first.ended("code-review", "TASK-7");
    }
    await first.stop();
    world.repo.write("dispatch.config.toml", "[retention]\nruns = 1\n");
    const second = await world.server();
    await trustRepository(second);
    expect((await (await second.api("/runs?task=TASK-7")).json()).runs).toHaveLength(1);
    expect(runsOnDisk(world.stateDir).size).toBe(1);
  });

  test("the newest run of each mode stays whatever the limit (Resume continues it)", async () => {
    await using world = new World();
    world.repo.write("dispatch.config.toml", "[retention]\nruns = 1\n");
    const server = await world.server();
    await trustRepository(server);
    const first = await (await server.api("/dispatch/doc-gen/TASK-42", { method: "POST" })).json();
    await server.ended("doc-gen", "TASK-42");
    for (let i = 0; i < 3; i++) {
      await server.api("/dispatch/code-review/TASK-42", { method: "POST" });
      await server.ended("code-review", "TASK-42");
    }
    const kept = (await (await server.api("/runs?task=TASK-42")).json()).runs.map(
      (r: { mode: string; runId: string }) => `${r.mode}:${r.runId === first.runId}`,
    );
    expect(kept).toEqual(["code-review:false", "doc-gen:true"]);
  });

  test("a repository's lower limits wait for trust: until then its runs and logs are kept as by default, and a dispatch says so", async () => {
    await using world = new World();
    world.repo.write("dispatch.config.toml", '[retention]\nruns = 1\n[log]\nmax = "1 MiB"\n');
    git(world.repo.repo, "add", "-A");
    git(world.repo.repo, "commit", "-q", "-m", "hostile limits");
    const server = await world.server();
    const items = (await (await server.api("/trust")).json()).items.map((i: { what: string }) => i.what);
    expect(items).toContain('retention.runs = "1": forgets your older runs and their logs sooner');
    let notice = "";
    for (let i = 0; i < 3; i++) {
      notice = (
        await (
          await server.api("/dispatch/code-review/TASK-42", {
            method: "POST",
            body: JSON.stringify({ extras: ["--fake-bytes", String(2 * 1024 * 1024)] }),
          })
        ).json()
      ).notice;
      await server.ended("code-review", "TASK-42");
    }
    expect(notice).toContain("this repository's retention.runs (lower than the default; not trusted: dispatch trust)");
    expect(notice).toContain("this repository's log.max");
    expect((await (await server.api("/runs?task=TASK-42")).json()).runs).toHaveLength(3);
    expect((await (await server.api("/logs/code-review/TASK-42")).text()).length).toBeGreaterThan(2 * 1024 * 1024);
  });
});
