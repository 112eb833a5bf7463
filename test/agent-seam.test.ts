import { describe, expect, test } from "bun:test";
import { chmodSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { World, waitFor } from "./helpers/world.ts";

/** A stand-in for the Codex CLI: records its argv and stdin, then ends with code 3 (headless) or on a typed line. */
const FAKE_CODEX = `#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_CODEX_RECORD.$$"
if [ "$1" = exec ]; then cat >> "$FAKE_CODEX_RECORD.$$"; echo "codex did the review"; exit 3; fi
echo "codex is waiting"; read line; echo "bye $line"; exit 0
`;

describe("a mode can name its agent (the agent seam)", () => {
  test("codex modes run the Codex CLI at process level: running, its exit code, its log; no Claude setup, no activity", async () => {
    await using world = new World();
    world.repo.write(
      ".dispatch/modes/codex-review.toml",
      'agent = "codex"\ninteractive = false\nargs = ["exec"]\nprompt = "Review {{task.id}}"\n',
    );
    world.repo.write(".dispatch/modes/codex.toml", 'agent = "codex"\ninteractive = true\nprompt = "Work on {{task.id}}"\n');
    const codex = join(world.repo.root, "codex");
    world.repo.write("../codex", FAKE_CODEX);
    chmodSync(codex, 0o755);
    const record = join(world.repo.root, "codex-argv");
    expect((await world.cli(["trust", "--yes"])).code).toBe(0);
    const server = await world.server({ DISPATCH_CODEX_BIN: codex, FAKE_CODEX_RECORD: record });
    const runs = () =>
      readdirSync(world.repo.root)
        .filter((f) => f.startsWith("codex-argv."))
        .map((f) => Bun.file(join(world.repo.root, f)).text());

    expect((await server.api("/dispatch/codex-review/TASK-42", { method: "POST" })).status).toBe(201);
    expect(await server.ended("codex-review", "TASK-42")).toMatchObject({ state: "failed", exitCode: 3 });
    const [headless] = await Promise.all(await runs());
    // Its own argv and the prompt on stdin: no --session-id, --name or --settings of Claude Code's.
    expect(headless).toBe("exec\nReview TASK-42");
    expect(await (await server.api("/logs/codex-review/TASK-42")).text()).toContain("codex did the review");
    const run = (await (await server.api("/runs?task=TASK-42")).json()).runs[0];
    expect(run).toMatchObject({ agent: "codex", sessionId: null, activity: null });

    expect((await server.api("/dispatch/codex/TASK-42", { method: "POST" })).status).toBe(201);
    const pane = "=claude-codex-TASK-42:";
    await waitFor("codex in its session", () => world.tmux("capture-pane", "-p", "-t", pane).out.includes("codex is waiting"));
    expect(await (await server.api("/status/codex/TASK-42")).json()).toMatchObject({ state: "running" });
    expect((await (await server.api("/status/codex/TASK-42")).json()).activity).toBeUndefined();
    world.tmux("send-keys", "-t", pane, "-l", "now");
    world.tmux("send-keys", "-t", pane, "Enter");
    expect(await server.ended("codex", "TASK-42")).toMatchObject({ state: "finished", exitCode: 0 });
  });

  test("a missing agent binary is a clear error that names it and how to set it", async () => {
    await using world = new World();
    world.repo.write(
      ".dispatch/modes/codex-review.toml",
      'agent = "codex"\ninteractive = false\nargs = ["exec"]\nprompt = "Review {{task.id}}"\n',
    );
    expect((await world.cli(["trust", "--yes"])).code).toBe(0);
    const server = await world.server({ DISPATCH_CODEX_BIN: "", PATH: "/usr/bin:/bin" });
    const res = await server.api("/dispatch/codex-review/TASK-42", { method: "POST" });
    // The machine lacks a program: the server's setup, not the request (errors.ts).
    expect(res.status).toBe(500);
    expect((await res.json()).error).toMatchObject({
      code: "agent_not_found",
      message: "codex not found on PATH: install the Codex CLI (npm install -g @openai/codex) or set DISPATCH_CODEX_BIN",
    });
  });
});
