import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { World, waitFor } from "./helpers/world.ts";

const SESSION = "claude-interactive-TASK-42";

describe("a tmux session of the run's name already exists", () => {
  test("someone else's: the dispatch is refused with a 409 that says how to free the name, and their session lives on", async () => {
    await using world = new World();
    world.tmux("new-session", "-d", "-s", SESSION, "--", "sleep", "600");
    const server = await world.server();
    const res = await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.code).toBe("session_conflict");
    expect(body.error.message).toContain(`tmux session ${SESSION} already exists and is not a run of this repository`);
    expect(world.tmux("has-session", "-t", `=${SESSION}`).code).toBe(0);
    expect(world.agentRuns().length).toBe(0);
    expect((await (await server.api("/status/interactive/TASK-42")).json()).state).toBe("failed");
  });

  test("a session of the name that ends while Dispatch asks whose it is (a run's end removes its own): no conflict, the run starts", async () => {
    await using world = new World();
    world.tmux("new-session", "-d", "-s", SESSION, "--", "sleep", "600");
    // tmux on the server's PATH: at the first question of whose the session is, the session ends
    // first, as an ended run's session may at any moment (a Resume right after /exit met that).
    const tmux = Bun.which("tmux") as string;
    const shim = join(world.repo.root, "shim");
    const mark = join(shim, "end-it-once");
    mkdirSync(shim);
    writeFileSync(mark, "");
    writeFileSync(
      join(shim, "tmux"),
      `#!/bin/sh
case " $* " in *" show-environment "*) if [ -e "${mark}" ]; then rm -f "${mark}"; "${tmux}" "$1" "$2" kill-session -t "=${SESSION}"; fi ;; esac
exec "${tmux}" "$@"
`,
    );
    chmodSync(join(shim, "tmux"), 0o755);
    const server = await world.server({ PATH: `${shim}:${process.env.PATH}` });
    const res = await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
    expect(res.status).toBe(201);
    const run = await res.json();
    expect(world.tmux("show-environment", "-t", `=${SESSION}`, "DISPATCH_RUN_ID").out.trim()).toBe(`DISPATCH_RUN_ID=${run.runId}`);
    expect(await Bun.file(mark).exists()).toBe(false);
  });

  test("a leftover of one of our runs that is over: replaced by the new run", async () => {
    await using world = new World();
    const server = await world.server();
    const first = await (await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).json();
    await server.api("/stop/interactive/TASK-42", { method: "POST" });
    // What a crash between the end of a run and the removal of its session leaves behind.
    const events = join(world.stateDir, "events", `${first.runId}.jsonl`);
    world.tmux(
      "new-session",
      "-d",
      "-s",
      SESSION,
      "-e",
      `DISPATCH_RUN_ID=${first.runId}`,
      "-e",
      `DISPATCH_EVENTS=${events}`,
      "--",
      "sleep",
      "600",
    );
    const res = await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
    expect(res.status).toBe(201);
    const second = await res.json();
    expect(second.runId).not.toBe(first.runId);
    await waitFor("the new agent", () => world.agentRuns().find((a) => a.env.DISPATCH_RUN_ID === second.runId));
    expect(world.tmux("show-environment", "-t", `=${SESSION}`, "DISPATCH_RUN_ID").out.trim()).toBe(`DISPATCH_RUN_ID=${second.runId}`);
    await server.api("/stop/interactive/TASK-42", { method: "POST" });
  });
});
