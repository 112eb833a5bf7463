import { describe, expect, test } from "bun:test";
import { World, waitFor } from "./helpers/world.ts";

/**
 * A server killed with -9 in the middle of a dispatch. `DISPATCH_CRASH_AT` makes the server kill
 * itself at that exact step, so the test is the same every time (a timed `kill -9` would land at
 * a different step on every machine).
 */
async function crashingDispatch(world: World, where: "after-claim" | "after-launch", mode: string, extras: string[] = []) {
  const server = await world.server({ DISPATCH_CRASH_AT: where });
  const answer = await server
    .api(`/dispatch/${mode}/TASK-42`, { method: "POST", body: JSON.stringify({ extras }) })
    .then((r) => r.status)
    .catch(() => "no answer");
  expect(answer).toBe("no answer");
  await server.proc.exited;
  expect(server.proc.signalCode).toBe("SIGKILL");
}

describe("a server killed mid-dispatch", () => {
  test("interactive, after the session was created: the next server adopts the run as running; a new dispatch reuses it", async () => {
    await using world = new World();
    await crashingDispatch(world, "after-launch", "interactive");
    await waitFor("the agent", () => world.agentRuns().length === 1);

    const next = await world.server();
    const status = await (await next.api("/status/interactive/TASK-42")).json();
    expect(status).toMatchObject({ state: "running", running: true });
    expect(status.reason).toBeUndefined();
    const again = await next.api("/dispatch/interactive/TASK-42", { method: "POST" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ reused: true, runId: status.runId });
    // One agent, its session alive, and Stop ends it.
    expect(world.agentRuns().length).toBe(1);
    expect(world.tmux("has-session", "-t", "=claude-interactive-TASK-42").code).toBe(0);
    expect(await (await next.api("/stop/interactive/TASK-42", { method: "POST" })).json()).toEqual({ stopped: true, state: "stopped" });
  });

  test("headless, after the job was started: adopted as running, never started twice, and its exit is recorded", async () => {
    await using world = new World();
    const release = `${world.repo.root}/release-agent`;
    await crashingDispatch(world, "after-launch", "code-review", ["--fake-until", release, "--fake-exit", "5"]);
    await waitFor("the agent", () => world.agentRuns().length === 1);

    const next = await world.server();
    const status = await (await next.api("/status/code-review/TASK-42")).json();
    expect(status).toMatchObject({ state: "running" });
    expect(await (await next.api("/dispatch/code-review/TASK-42", { method: "POST" })).json()).toMatchObject({
      reused: true,
      runId: status.runId,
    });
    expect(world.agentRuns().length).toBe(1);
    await Bun.write(release, "");
    expect(await next.ended("code-review", "TASK-42")).toMatchObject({ state: "failed", exitCode: 5, runId: status.runId });
  });

  test("after the claim, before any launch: the run failed to start (and says why); a new dispatch starts one", async () => {
    await using world = new World();
    await crashingDispatch(world, "after-claim", "interactive");

    const next = await world.server();
    const status = await (await next.api("/status/interactive/TASK-42")).json();
    expect(status).toMatchObject({ state: "failed" });
    expect(status.reason).toContain("could not start: the dispatching process exited");
    expect(world.agentRuns().length).toBe(0);
    const again = await next.api("/dispatch/interactive/TASK-42", { method: "POST" });
    expect(again.status).toBe(201);
    await waitFor("the agent", () => world.agentRuns().length === 1);
    await next.api("/stop/interactive/TASK-42", { method: "POST" });
  });
});
