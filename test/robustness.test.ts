import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { World, waitFor } from "./helpers/world.ts";

describe("robustness", () => {
  test("paths holding # reach tmux as text, never as formats or commands", async () => {
    await using world = new World();
    const pwned = join(world.repo.root, "pwned");
    const stateDir = join(world.repo.root, `state#(touch ${pwned})`);
    world.repo.write("dispatch.config.toml", `worktrees = "../wt#{session_name}##"\n`);
    // A worktrees folder of the repository's choosing waits for the user's trust.
    expect((await world.cli(["trust", "--yes"], { env: { DISPATCH_STATE_DIR: stateDir } })).code).toBe(0);
    const server = await world.server({ DISPATCH_STATE_DIR: stateDir });
    expect((await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).status).toBe(201);
    const agent = await waitFor("the agent", () => world.agentRuns()[0]);
    expect(agent.cwd).toBe(join(world.repo.root, "wt#{session_name}##", "TASK-42"));
    // pipe-pane wrote the log where it was told, and ran nothing.
    await waitFor("the log", () =>
      readdirSync(join(stateDir, "logs")).some((f) => readFileSync(join(stateDir, "logs", f), "utf8").includes("fake-claude interactive")),
    );
    expect(existsSync(pwned)).toBe(false);
    await server.api("/stop/interactive/TASK-42", { method: "POST" });
  });

  test("an unknown task is a 404 for status, stop, logs and attach, and exit 3 in the CLI", async () => {
    await using world = new World();
    const server = await world.server();
    for (const [method, path] of [
      ["GET", "/status/code-review/NOPE"],
      ["POST", "/stop/code-review/NOPE"],
      ["GET", "/logs/code-review/NOPE"],
      ["POST", "/attach/interactive/NOPE"],
    ] as const) {
      const res = await server.api(path, { method });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect((await res.json()).error.code).toBe("unknown_task");
    }
    for (const args of [
      ["status", "code-review", "NOPE"],
      ["stop", "code-review", "NOPE"],
      ["logs", "code-review", "NOPE"],
    ]) {
      expect((await world.cli(args)).code).toBe(3);
    }
  });

  test("a run whose task file went away stays reachable: status, logs and stop still work", async () => {
    await using world = new World();
    world.repo.write("tasks/GONE.md", '+++\nid = "GONE"\ntitle = "soon deleted"\n+++\n');
    const server = await world.server();
    await server.api("/dispatch/code-review/GONE", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "30"] }) });
    Bun.spawnSync(["rm", join(world.repo.repo, "tasks", "GONE.md")]);
    await waitFor(
      "the task to disappear",
      async () => !(await (await server.api("/tasks")).json()).tasks.some((t: { id: string }) => t.id === "GONE"),
    );
    expect((await (await server.api("/status/code-review/GONE")).json()).state).toBe("running");
    expect((await server.api("/logs/code-review/GONE")).status).toBe(200);
    expect(await (await server.api("/stop/code-review/GONE", { method: "POST" })).json()).toEqual({ stopped: true, state: "stopped" });
  });

  test("a damaged exit file does not crash the server or the CLI", async () => {
    await using world = new World();
    const server = await world.server();
    const run = await (
      await server.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "30"] }) })
    ).json();
    mkdirSync(join(world.stateDir, "exits"), { recursive: true });
    writeFileSync(join(world.stateDir, "exits", `${run.runId}.json`), "");
    // Each reads the damaged file: the CLI when it opens, the server when it stops the run.
    const status = await world.cli(["status", "code-review", "TASK-42", "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).state).toBe("running");
    expect(await (await server.api("/stop/code-review/TASK-42", { method: "POST" })).json()).toEqual({ stopped: true, state: "stopped" });
    expect((await fetch(`${server.url}/health`)).ok).toBe(true);
  });

  test("an agent that exits at once ends its run with its exit code", async () => {
    await using world = new World();
    const server = await world.server();
    const res = await (
      await server.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-exit", "1"] }) })
    ).json();
    expect(await server.ended("code-review", "TASK-42")).toMatchObject({ state: "failed", exitCode: 1, runId: res.runId });
  });
});
