// How REAL Claude Code headless runs (`claude -p`) end, read from their final `result` and hooks,
// against the scripted stand-in (FACTS §6): the headless part of issue 11's Must-show.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { realClaudeServer, stopAll } from "./helpers/real-claude.ts";
import { taskFile } from "./helpers/repo.ts";
import { startStandin } from "./helpers/standin.ts";
import { type ServerHandle, World } from "./helpers/world.ts";

/** The setting: Claude asks before it runs a tool (the default, auto, needs Anthropic's classifier). */
const MANUAL = ["--permission-mode", "manual"];

type Run = {
  state: string;
  exitCode: number | null;
  reason: string | null;
  result: { costUsd?: number; turns?: number; sessionId?: string };
};

describe("headless runs of the real Claude Code CLI", () => {
  test("success records cost and turns (the user's own hook runs too); an API 400 and running out of --max-turns fail with their reasons; a Bash request is approved from the API and runs", async () => {
    await using standin = await startStandin();
    let server: ServerHandle | undefined;
    {
      await using world = new World();
      const proof = join(world.repo.root, "proof");
      world.repo.write("tasks/TASK-1.md", taskFile("TASK-1", "Hit an API error", "ERR400 please"));
      world.repo.write("tasks/TASK-2.md", taskFile("TASK-2", "Never stop", "LOOP forever"));
      world.repo.write("tasks/TASK-3.md", taskFile("TASK-3", "Run a tool", `USE_BASH touch ${proof}`));
      const api = (path: string, init?: RequestInit) => (server as ServerHandle).api(path, init);
      const latest = async (id: string): Promise<Run> => (await (await api(`/runs?task=${id}`)).json()).runs[0];
      const run = async (id: string, extras: string[] = []) => {
        const res = await api(`/dispatch/code-review/${id}`, { method: "POST", body: JSON.stringify({ extras }) });
        expect(res.status).toBe(201);
      };
      try {
        // The user's own hook: Dispatch's `--settings` adds to it, never replaces it (FACTS §3).
        const userHookRan = join(world.repo.root, "USER-HOOK-RAN");
        const config = world.env().CLAUDE_CONFIG_DIR as string;
        mkdirSync(config, { recursive: true });
        writeFileSync(
          join(config, "settings.json"),
          JSON.stringify({ hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command: `touch ${userHookRan}` }] }] } }),
        );
        server = (await realClaudeServer(world, standin)).server;
        const events = await server.events();

        await run("TASK-42");
        expect(await server.ended("code-review", "TASK-42", 45000)).toMatchObject({ state: "finished", exitCode: 0 });
        const success = await latest("TASK-42");
        expect(success.result.costUsd).toBeGreaterThan(0);
        expect(success.result.turns).toBe(1);
        expect(success.result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
        expect((await (await server.api("/tasks/TASK-42")).json()).costUsd).toBe(success.result.costUsd as number);
        expect(existsSync(userHookRan)).toBe(true);

        await run("TASK-1");
        expect(await server.ended("code-review", "TASK-1", 45000)).toMatchObject({ state: "failed" });
        expect((await latest("TASK-1")).reason).toBe("API error 400: stand-in invalid_request_error");

        await run("TASK-2", ["--max-turns", "2", "--allowedTools", "Bash(true)"]);
        expect(await server.ended("code-review", "TASK-2", 45000)).toMatchObject({ state: "failed" });
        expect((await latest("TASK-2")).reason).toBe("Reached maximum number of turns (2)");

        // Without Dispatch's hook, `claude -p` denies at once; with it, the request waits for the user.
        await run("TASK-3", MANUAL);
        const asked = await events.next(
          "the Bash request",
          (m) => m.type === "run.activity" && (m.run as { taskId: string; activity: string }).activity === "needs-approval",
          45000,
        );
        expect((asked.run as { pending: { tool: string; summary: string } }).pending).toMatchObject({
          tool: "Bash",
          summary: `touch ${proof}`,
        });
        const allowed = await server.api("/approve/code-review/TASK-3", { method: "POST", body: JSON.stringify({ decision: "allow" }) });
        expect(allowed.status).toBe(200);
        expect(await server.ended("code-review", "TASK-3", 45000)).toMatchObject({ state: "finished", exitCode: 0 });
        expect(existsSync(proof)).toBe(true);
        expect((await latest("TASK-3")).result.turns).toBe(2);
      } finally {
        for (const id of ["TASK-1", "TASK-2", "TASK-3", "TASK-42"]) await stopAll(server, id);
      }
    }
  }, 240000);
});
