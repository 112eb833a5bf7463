import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { alive } from "../src-ext/proc/liveness.ts";
import { World, waitFor } from "./helpers/world.ts";

describe("repository modes and configuration", () => {
  test("a repo mode, once trusted, is listed at /modes and runs; its timeout ends a run that takes too long", async () => {
    await using world = new World();
    world.repo.write(
      ".dispatch/modes/quick-check.toml",
      'description = "A short check"\ninteractive = false\nargs = ["-p"]\ntimeout = 1\nprompt = "Check {{task.id}} ({{task.priority}}) on {{branch}}"\n',
    );
    expect((await world.cli(["trust", "--yes"])).code).toBe(0);
    const server = await world.server();
    const modes = await (await server.api("/modes")).json();
    expect(modes.modes.find((m: { name: string }) => m.name === "quick-check")).toMatchObject({
      source: "repo",
      interactive: false,
      timeout: 1,
      description: "A short check",
    });

    await server.api("/dispatch/quick-check/TASK-42", {
      method: "POST",
      body: JSON.stringify({ extras: ["--fake-sleep", "20", "--fake-grandchild"] }),
    });
    const agent = await waitFor("the agent", () => world.agentRuns()[0]);
    expect(agent.argv).toEqual(["-p", "--fake-sleep", "20", "--fake-grandchild"]);
    expect(agent.prompt).toBe("Check TASK-42 (high) on task/TASK-42");
    const done = await server.ended("quick-check", "TASK-42");
    expect(done.state).toBe("failed");
    expect(done.reason).toContain("timed out after 1 s");
    // The tools the agent started end with it.
    await waitFor("the grandchild to end", () => !alive(agent.grandchild as number));
  });

  test("dispatch.config.toml: tasks folder, worktrees folder and branch template", async () => {
    await using world = new World();
    world.repo.write("dispatch.config.toml", 'tasks = "tasks/area"\nworktrees = "../elsewhere"\nbranch = "work/{id}"\n');
    // A tasks folder inside the repository needs no trust; a worktrees folder of the repository's choosing does.
    expect((await world.cli(["trust", "--yes"])).code).toBe(0);
    const tasks = JSON.parse((await world.cli(["tasks", "--json"])).stdout);
    expect(tasks.tasks.map((t: { id: string }) => t.id)).toEqual(["TASK-7", "TASK-20250516T024757"]);
    const run = await world.cli(["code-review", "TASK-7"]);
    expect(run.code).toBe(0);
    expect(world.agentRuns()[0]?.cwd).toBe(join(world.repo.root, "elsewhere", "TASK-7"));
    expect(existsSync(join(world.repo.root, "elsewhere", "TASK-7", ".git"))).toBe(true);
  });

  test("a bad config value is a clear error naming the key", async () => {
    await using world = new World();
    world.repo.write("dispatch.config.toml", 'port = "high"\n');
    const result = await world.cli(["tasks"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("dispatch.config.toml: port:");
    world.repo.write("dispatch.config.toml", 'colour = "blue"\n');
    expect((await world.cli(["tasks"])).stderr).toContain("unknown key colour");
  });

  test("a missing agent is a clear error and starts nothing", async () => {
    await using world = new World();
    const result = await world.cli(["code-review", "TASK-42"], { env: { DISPATCH_CLAUDE_BIN: "", PATH: "/usr/bin:/bin" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("claude not found on PATH");
    expect(result.stderr).toContain("DISPATCH_CLAUDE_BIN");
  });
});
