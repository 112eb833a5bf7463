import { describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { taskFile } from "./helpers/repo.ts";
import { World, waitFor } from "./helpers/world.ts";

describe("POST /dispatch runs modes for real", () => {
  test("code-review: 201, running, then finished with exit code 0; --save-to writes the answer", async () => {
    await using world = new World();
    const server = await world.server();
    const res = await server.api("/dispatch/code-review/TASK-42", {
      method: "POST",
      body: JSON.stringify({ extras: ["--fake-sleep", "1", "--save-to", "review.md"] }),
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      session: "claude-code-review-TASK-42",
      mode: "code-review",
      id: "TASK-42",
      headless: true,
      reused: false,
      state: "running",
    });
    expect(body.runId).toBeString();

    const running = await (await server.api("/status/code-review/TASK-42")).json();
    expect(running).toMatchObject({ state: "running", running: true, headless: true, runId: body.runId });

    const done = await server.ended("code-review", "TASK-42");
    expect(done).toMatchObject({ state: "finished", running: false, exitCode: 0, runId: body.runId });
    expect(done.endedAt).toBeString();

    // The agent ran in the task's worktree on its branch, with the prompt on stdin.
    const [agent] = world.agentRuns();
    expect(agent?.cwd).toBe(join(world.repo.worktrees, "TASK-42"));
    expect(agent?.argv.slice(0, 4)).toEqual(["-p", "--output-format", "stream-json", "--verbose"]);
    expect(agent?.argv).not.toContain("--save-to");
    expect(agent?.prompt).toContain("TASK-42");
    expect(agent?.prompt).toContain("Find the question whose answer is 42.");
    expect(readFileSync(join(world.repo.worktrees, "TASK-42", "review.md"), "utf8")).toStartWith("Reviewed: ");

    // The final result event is on record.
    const runs = await (await server.api("/runs?task=TASK-42")).json();
    expect(runs.runs[0].result).toMatchObject({ subtype: "success", costUsd: 0.0123, turns: 2, sessionId: runs.runs[0].sessionId });
    // The session id was fixed up front (--session-id) and is the one the agent reported.
    expect(runs.runs[0].sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(runs.runs[0].origin).toBe("api");
  });

  test("a run that exits 3 reports failed with 3", async () => {
    await using world = new World();
    const server = await world.server();
    const res = await server.api("/dispatch/code-review/TASK-42", {
      method: "POST",
      body: JSON.stringify({ extras: ["--fake-exit", "3"] }),
    });
    expect(res.status).toBe(201);
    const done = await server.ended("code-review", "TASK-42");
    expect(done).toMatchObject({ state: "failed", exitCode: 3, running: false });
  });

  test("interactive: a tmux session with a TTY in the worktree, a first prompt with id, title and body, exit code recorded", async () => {
    await using world = new World();
    const server = await world.server();
    const res = await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ session: "claude-interactive-TASK-42", headless: false, state: "running" });
    expect(world.tmux("has-session", "-t", "=claude-interactive-TASK-42").code).toBe(0);

    const agent = await waitFor("the agent to start", () => world.agentRuns()[0]);
    expect(agent.tty).toBe(true);
    expect(agent.cwd).toBe(join(world.repo.worktrees, "TASK-42"));
    expect(agent.prompt).toContain("TASK-42");
    expect(agent.prompt).toContain("Answer everything");
    expect(agent.prompt).toContain("Find the question whose answer is 42.");
    expect(agent.env.DISPATCH_RUN_ID).toBe(body.runId);
    // The worktree is a real git worktree on the task's branch.
    const branch = Bun.spawnSync(["git", "-C", agent.cwd, "branch", "--show-current"]).stdout.toString().trim();
    expect(branch).toBe("task/TASK-42");

    await waitFor(
      "the prompt on screen",
      () => world.tmux("capture-pane", "-p", "-t", "=claude-interactive-TASK-42:").out.match(/^>/m) !== null,
    );
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "-l", "exit 4");
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "Enter");
    const done = await server.ended("interactive", "TASK-42");
    expect(done).toMatchObject({ state: "failed", exitCode: 4, running: false });
    // The dead pane's session is cleaned up once the exit is on record; the log kept the output.
    await waitFor("the session to go", () => world.tmux("has-session", "-t", "=claude-interactive-TASK-42").code !== 0);
    const log = await (await server.api("/logs/interactive/TASK-42")).text();
    expect(log).toContain("fake-claude interactive (tty: true)");
    expect(log).toContain("bye");
  });

  test("a task body of nearly 1 MiB reaches an interactive agent whole (through a file: an argument that long fails with E2BIG)", async () => {
    await using world = new World();
    const body = `${"The long part. ".repeat(68_000)}THE-END-OF-THE-BODY`;
    world.repo.write("tasks/BIG.md", taskFile("BIG", "A long task", body));
    const server = await world.server();
    expect((await server.api("/dispatch/interactive/BIG", { method: "POST" })).status).toBe(201);
    const agent = await waitFor("the agent", () => world.agentRuns()[0]);
    const file = /^Read (\S+) first: it holds this task in full/.exec(agent.prompt)?.[1] as string;
    expect(file).toBe(join(world.stateDir, "prompts", `${agent.env.DISPATCH_RUN_ID}.md`));
    expect(agent.argv).toContain("--add-dir");
    const prompt = readFileSync(file, "utf8");
    expect(prompt).toContain("You are working on task BIG: A long task");
    // Compared as a boolean: a diff of a megabyte helps nobody.
    expect(prompt.includes(body)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await server.api("/stop/interactive/BIG", { method: "POST" });
  });

  test("two modes of one task share its worktree and run at once", async () => {
    await using world = new World();
    const server = await world.server();
    const [a, b] = await Promise.all([
      server.api("/dispatch/code-review/TASK-7", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "2"] }) }),
      server.api("/dispatch/doc-gen/TASK-7", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "2"] }) }),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    await waitFor("two agents", () => world.agentRuns().length === 2);
    const agents = world.agentRuns();
    expect(agents[0]?.cwd).toBe(join(world.repo.worktrees, "TASK-7"));
    expect(agents[1]?.cwd).toBe(agents[0]?.cwd);
    const tasks = await (await server.api("/tasks")).json();
    const task = tasks.tasks.find((t: { id: string }) => t.id === "TASK-7");
    expect(task.runs["code-review"].state).toBe("running");
    expect(task.runs["doc-gen"].state).toBe("running");
    await server.api("/stop/code-review/TASK-7", { method: "POST" });
    await server.api("/stop/doc-gen/TASK-7", { method: "POST" });
  });
});
