import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { World, waitFor } from "./helpers/world.ts";

const SESSION = "claude-interactive-TASK-42";

describe("a run seen from a process with another tmux environment", () => {
  test("a live run stays running for a CLI on another socket or TMUX_TMPDIR, and that CLI's stop ends it", async () => {
    await using world = new World();
    const server = await world.server();
    const started = await (await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).json();
    await waitFor("the agent", () => world.agentRuns()[0]);
    const tmpdirOfOther = mkdtempSync(join(tmpdir(), "dispatch-tmux-"));
    try {
      // The user's own default tmux server (in a TMUX_TMPDIR of its own), and another named one.
      const defaultSocket = { DISPATCH_TMUX_SOCKET: "", TMUX_TMPDIR: tmpdirOfOther };
      const otherName = { DISPATCH_TMUX_SOCKET: `${world.socket}-other` };
      for (const env of [defaultSocket, otherName]) {
        const tasks = await world.cli(["tasks", "--json"], { env });
        expect(tasks.code).toBe(0);
        const badge = JSON.parse(tasks.stdout).tasks.find((t: { id: string }) => t.id === "TASK-42").runs.interactive;
        expect(badge).toMatchObject({ state: "running", runId: started.runId });
        const status = JSON.parse((await world.cli(["status", "interactive", "TASK-42", "--json"], { env })).stdout);
        expect(status).toMatchObject({ state: "running", runId: started.runId });
      }
      expect(await (await server.api("/status/interactive/TASK-42")).json()).toMatchObject({ state: "running" });
      expect(world.tmux("has-session", "-t", `=${SESSION}`).code).toBe(0);

      // Stop from the CLI on the default socket asks the server the run was created on.
      const stop = await world.cli(["stop", "interactive", "TASK-42"], { env: defaultSocket });
      expect(stop).toMatchObject({ code: 0, stdout: "stopped interactive on TASK-42\n" });
      expect(world.tmux("has-session", "-t", `=${SESSION}`).code).not.toBe(0);
      await waitFor(
        "the server to see it",
        async () => (await (await server.api("/status/interactive/TASK-42")).json()).state === "stopped",
      );
    } finally {
      rmSync(tmpdirOfOther, { recursive: true, force: true });
    }
  });

  test("a run judged lost by an older version while its session lived is taken back as running, and stop ends it", async () => {
    await using world = new World();
    const server = await world.server();
    const started = await (await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).json();
    await waitFor("the agent", () => world.agentRuns()[0]);
    await server.stop();
    // What the old sweep wrote from a CLI on another socket.
    const { Database } = await import("bun:sqlite");
    const db = new Database(join(world.stateDir, "dispatch.db"));
    db.run("UPDATE runs SET state = 'lost', reason = 'the tmux session vanished without an exit code', rev = rev + 1 WHERE id = ?", [
      started.runId,
    ]);
    db.close();

    const status = JSON.parse((await world.cli(["status", "interactive", "TASK-42", "--json"])).stdout);
    expect(status).toMatchObject({ state: "running", runId: started.runId });
    expect(status.reason).toBeUndefined();
    const stop = await world.cli(["stop", "interactive", "TASK-42"]);
    expect(stop.stdout).toBe("stopped interactive on TASK-42\n");
    expect(world.tmux("has-session", "-t", `=${SESSION}`).code).not.toBe(0);
  });
});
