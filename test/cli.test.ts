import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers/repo.ts";
import { World, waitFor } from "./helpers/world.ts";

describe("the dispatch CLI", () => {
  test("exit codes: 2 for bad usage or an invalid id, 3 for an unknown task or mode", async () => {
    await using world = new World();
    const cases: Array<[string[], number, string]> = [
      [["code-review", "TASK.42"], 2, "invalid task id"],
      [["code.review", "TASK-42"], 2, "invalid mode name"],
      [["code-review"], 2, "usage"],
      [["status", "code-review"], 2, "usage"],
      [["code-review", "TASK-404"], 3, "unknown task TASK-404"],
      [["nope", "TASK-42"], 3, "unknown mode nope"],
      [["stop", "nope", "TASK-42"], 3, "unknown mode"],
      [["serve", "--port", "x"], 2, "--port"],
    ];
    for (const [args, code, message] of cases) {
      const result = await world.cli(args);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toContain(message);
      // One clear line, no stack trace.
      expect(result.stderr.trim().split("\n").length).toBe(1);
    }
    expect(world.agentRuns()).toEqual([]);
  });

  test("a headless dispatch follows the log and exits with the run's code", async () => {
    await using world = new World();
    const ok = await world.cli(["code-review", "TASK-42", "--fake-sleep", "0.5"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('"type":"result"');
    expect(ok.stdout).toContain("fake-claude: a line on stderr");
    const failed = await world.cli(["code-review", "TASK-42", "--fake-exit", "5"]);
    expect(failed.code).toBe(5);
    expect(failed.stderr).toContain("failed with exit code 5");
  });

  test("--detach returns at once; status, logs --follow, runs and stop see the run", async () => {
    await using world = new World();
    const started = await world.cli(["code-review", "TASK-42", "--detach", "--json", "--fake-sleep", "1"]);
    expect(started.code).toBe(0);
    const result = JSON.parse(started.stdout);
    expect(result).toMatchObject({ session: "claude-code-review-TASK-42", state: "running", reused: false });

    const status = JSON.parse((await world.cli(["status", "code-review", "TASK-42", "--json"])).stdout);
    expect(status).toMatchObject({ state: "running", running: true, runId: result.runId });

    const follow = await world.cli(["logs", "code-review", "TASK-42", "--follow"]);
    expect(follow.code).toBe(0);
    expect(follow.stdout).toContain('"type":"result"');
    const after = JSON.parse((await world.cli(["status", "code-review", "TASK-42", "--json"])).stdout);
    expect(after).toMatchObject({ state: "finished", exitCode: 0 });

    const runs = JSON.parse((await world.cli(["runs", "--task", "TASK-42", "--json"])).stdout);
    expect(runs.runs).toHaveLength(1);
    expect(runs.runs[0]).toMatchObject({ runId: result.runId, origin: "cli", state: "finished" });

    const idle = JSON.parse((await world.cli(["status", "doc-gen", "TASK-42", "--json"])).stdout);
    expect(idle).toEqual({ state: "idle", running: false, headless: true });
    expect((await world.cli(["stop", "doc-gen", "TASK-42"])).stdout).toContain("was not running");
  });

  test("tasks and modes list as text and JSON; a broken file is a problem", async () => {
    await using world = new World();
    const tasks = JSON.parse((await world.cli(["tasks", "--json"])).stdout);
    expect(tasks.tasks.map((t: { id: string }) => t.id)).toEqual(["TASK-7", "TASK-42", "TASK-20250516T024757"]);
    expect(tasks.problems).toEqual([expect.objectContaining({ file: "tasks/broken.md", line: 3 })]);
    const text = await world.cli(["tasks"]);
    expect(text.stdout).toContain("Answer everything");
    expect(text.stderr).toContain("problem: tasks/broken.md:3");
    const modes = JSON.parse((await world.cli(["modes", "--json"])).stdout);
    expect(modes.modes.map((m: { name: string }) => m.name)).toEqual(["code-review", "doc-gen", "interactive", "test-writer"]);
    expect((await world.cli(["modes"])).stdout).toContain("interactive  builtin");
  });

  test("an interactive dispatch without a terminal prints how to attach", async () => {
    await using world = new World();
    const result = await world.cli(["interactive", "TASK-42"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`tmux -S ${world.socketPath} attach-session -t =claude-interactive-TASK-42`);
    await waitFor("the agent", () => world.agentRuns().length === 1);
    const attach = await world.cli(["attach", "interactive", "TASK-42"]);
    expect(attach.stdout).toContain("attach-session -t =claude-interactive-TASK-42");
    await world.cli(["stop", "interactive", "TASK-42"]);
  });

  test("help and version", async () => {
    await using world = new World();
    const help = await world.cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("dispatch <mode> <task-id> [extras…]");
    expect((await world.cli([])).code).toBe(2);
    expect((await world.cli(["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test("npm run --silent dispatch works from the repo root, and the npm bin shim runs it", async () => {
    await using world = new World();
    const viaNpm = Bun.spawnSync(["npm", "run", "--silent", "dispatch", "--", "tasks", "--json"], {
      cwd: ROOT,
      env: world.env(),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(viaNpm.exitCode).toBe(0);
    expect(JSON.parse(viaNpm.stdout.toString()).tasks.length).toBe(3);
    const shim = Bun.spawnSync(["node", join(ROOT, "src-ext", "dispatch.mjs"), "code-review", "TASK-42", "--fake-exit", "6"], {
      cwd: world.repo.repo,
      env: world.env(),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(shim.exitCode).toBe(6);
  });

  test("npm link puts dispatch on the PATH (a global install of this folder, into a temp prefix)", async () => {
    await using world = new World();
    const prefix = join(world.repo.root, "npm-prefix");
    const link = Bun.spawnSync(["npm", "install", "--global", "--prefix", prefix, "--no-audit", "--no-fund", ROOT], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(link.exitCode).toBe(0);
    const bin = join(prefix, "bin", "dispatch");
    const version = Bun.spawnSync([bin, "--version"], { stdout: "pipe" });
    expect(version.stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const tasks = Bun.spawnSync([bin, "tasks", "--json"], { cwd: world.repo.repo, env: world.env(), stdout: "pipe", stderr: "pipe" });
    expect(JSON.parse(tasks.stdout.toString()).tasks.length).toBe(3);
  });

  test("serve --port 0 picks a free port and writes server.json with mode 0600 once it answers", async () => {
    await using world = new World();
    const server = await world.server();
    expect(server.port).toBeGreaterThan(0);
    const file = join(world.stateDir, "server.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const info = JSON.parse(readFileSync(file, "utf8"));
    expect(info).toMatchObject({ pid: server.proc.pid, port: server.port, url: `http://127.0.0.1:${server.port}` });
    expect(info.token).toMatch(/^[0-9a-f]{64}$/);
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ ok: true });
    // The token is per install: a restarted server keeps it.
    await server.stop();
    const again = await world.server();
    expect(again.token).toBe(info.token);
    // .run/ is kept out of git by the repository's own exclude file, not by editing .gitignore.
    expect(readFileSync(join(world.repo.repo, ".git", "info", "exclude"), "utf8")).toContain("/.run/");
    expect(existsSync(join(world.repo.repo, ".gitignore"))).toBe(false);
    expect(existsSync(join(world.stateDir, "dispatch.db"))).toBe(true);
  });
});
