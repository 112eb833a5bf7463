import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { World, waitFor } from "./helpers/world.ts";

const dbFile = (world: World) => join(world.stateDir, "dispatch.db");

function removeWal(world: World): void {
  for (const suffix of ["-wal", "-shm"]) rmSync(dbFile(world) + suffix, { force: true });
}

/** An interactive run started by a server that then stops; the database is deleted behind it. */
async function liveRunWithoutDatabase(world: World): Promise<{ runId: string }> {
  const server = await world.server();
  const run = await (await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).json();
  await waitFor("the agent", () => world.agentRuns().length === 1);
  await server.stop();
  rmSync(dbFile(world));
  removeWal(world);
  return run;
}

describe("the run database lost or damaged", () => {
  test("emptied under live runs: the next server rebuilds them from disk; a re-dispatch starts no second agent and kills nothing", async () => {
    await using world = new World();
    const first = await world.server();
    const headless = await (
      await first.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-sleep", "60"] }) })
    ).json();
    const interactive = await (await first.api("/dispatch/interactive/TASK-7", { method: "POST" })).json();
    await waitFor("both agents", () => world.agentRuns().length === 2);
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    truncateSync(dbFile(world), 0);
    removeWal(world);

    const second = await world.server();
    expect(await (await second.api("/status/code-review/TASK-42")).json()).toMatchObject({ state: "running", runId: headless.runId });
    expect(await (await second.api("/status/interactive/TASK-7")).json()).toMatchObject({ state: "running", runId: interactive.runId });
    for (const [mode, id, runId] of [
      ["code-review", "TASK-42", headless.runId],
      ["interactive", "TASK-7", interactive.runId],
    ]) {
      const again = await second.api(`/dispatch/${mode}/${id}`, { method: "POST" });
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ reused: true, runId });
    }
    expect(world.agentRuns().length).toBe(2);
    expect(world.tmux("has-session", "-t", "=claude-interactive-TASK-7").code).toBe(0);
    // The history is back too.
    const history = await (await second.api("/runs?task=TASK-42")).json();
    expect(history.runs.map((r: { runId: string }) => r.runId)).toEqual([headless.runId]);
    for (const path of ["/stop/code-review/TASK-42", "/stop/interactive/TASK-7"]) {
      expect(await (await second.api(path, { method: "POST" })).json()).toEqual({ stopped: true, state: "stopped" });
    }
  });

  test("deleted: a dispatch from the CLI finds the run on disk and reuses it, never kills it", async () => {
    await using world = new World();
    const run = await liveRunWithoutDatabase(world);
    const cli = await world.cli(["interactive", "TASK-42", "--detach", "--json"]);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ reused: true, runId: run.runId });
    expect(world.agentRuns().length).toBe(1);
    expect(world.tmux("has-session", "-t", "=claude-interactive-TASK-42").code).toBe(0);
    expect((await world.cli(["stop", "interactive", "TASK-42"])).stdout).toBe("stopped interactive on TASK-42\n");
  });

  test("deleted with the run's files: the live session is left alone and the dispatch says whose it is", async () => {
    await using world = new World();
    const run = await liveRunWithoutDatabase(world);
    rmSync(join(world.stateDir, "specs"), { recursive: true });
    const cli = await world.cli(["interactive", "TASK-42", "--detach"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`tmux session claude-interactive-TASK-42 holds run ${run.runId}`);
    expect(world.agentRuns().length).toBe(1);
    expect(world.tmux("has-session", "-t", "=claude-interactive-TASK-42").code).toBe(0);
  });

  test("damaged: moved aside with a warning that names both files, and rebuilt from disk", async () => {
    await using world = new World();
    const server = await world.server();
    const run = await (
      await server.api("/dispatch/code-review/TASK-42", { method: "POST", body: JSON.stringify({ extras: ["--fake-exit", "3"] }) })
    ).json();
    await server.ended("code-review", "TASK-42");
    await server.stop();
    writeFileSync(dbFile(world), "this is not a database ".repeat(200));
    removeWal(world);

    const status = await world.cli(["status", "code-review", "TASK-42", "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: "failed", exitCode: 3, runId: run.runId });
    const aside = readdirSync(world.stateDir).find((f) => f.startsWith("dispatch.db.damaged-"));
    expect(aside).toBeString();
    expect(status.stderr).toContain(
      `${dbFile(world)} was damaged (file is not a database): moved it to ${join(world.stateDir, aside as string)}`,
    );
    // Once rebuilt, nothing more to say.
    const again = await world.cli(["status", "code-review", "TASK-42"]);
    expect(again).toMatchObject({ code: 0, stderr: "" });
    expect(existsSync(join(world.stateDir, aside as string))).toBe(true);
  });
});
