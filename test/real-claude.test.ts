// The argv Dispatch builds, run by the REAL Claude Code CLI against the loopback stand-in
// (test/helpers/real-claude.ts).
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { realClaudeServer, stopAll } from "./helpers/real-claude.ts";
import { git } from "./helpers/repo.ts";
import { STANDIN_REPLY, startStandin, userText } from "./helpers/standin.ts";
import { type ServerHandle, World, waitFor } from "./helpers/world.ts";

const SESSION = "=claude-interactive-TASK-42:";

function finished(server: ServerHandle, mode: string, timeoutMs: number) {
  return server.ended(mode, "TASK-42", timeoutMs);
}

describe("the real Claude Code CLI accepts Dispatch's argv", () => {
  test("headless code-review: stream-json result on record, --model passed through, --save-to writes the answer", async () => {
    await using standin = await startStandin();
    let server: ServerHandle | undefined;
    {
      await using world = new World();
      try {
        const setup = await realClaudeServer(world, standin);
        server = setup.server;
        const res = await server.api("/dispatch/code-review/TASK-42", {
          method: "POST",
          body: JSON.stringify({ extras: ["--model", "claude-sonnet-4-5"] }),
        });
        expect(res.status).toBe(201);
        const done = await finished(server, "code-review", 45000);
        if (done.exitCode !== 0) console.error(await (await server.api("/logs/code-review/TASK-42")).text());
        expect(done).toMatchObject({ state: "finished", running: false, exitCode: 0 });

        // The prompt reached the model: task id and body, with the model the extras asked for.
        const turn = standin.requests().find((r) => userText(r.body).includes("TASK-42"));
        expect(turn).toBeDefined();
        expect(userText(turn?.body)).toContain("Find the question whose answer is 42.");
        expect((turn?.body as { model?: string } | undefined)?.model).toBe("claude-sonnet-4-5");

        const runs = await (await server.api("/runs?task=TASK-42")).json();
        expect(runs.runs[0].result).toMatchObject({ subtype: "success" });
        expect(runs.runs[0].result.costUsd).toBeNumber();

        // A second run saves the final answer in the worktree.
        const again = await server.api("/dispatch/code-review/TASK-42", {
          method: "POST",
          body: JSON.stringify({ extras: ["--save-to", "review.md"] }),
        });
        expect(again.status).toBe(201);
        const second = await finished(server, "code-review", 45000);
        expect(second).toMatchObject({ state: "finished", exitCode: 0 });
        expect(readFileSync(join(setup.worktree, "review.md"), "utf8")).toContain(STANDIN_REPLY);
      } finally {
        await stopAll(server);
      }
    }
  }, 100000);

  test("interactive: `--add-dir DIR -- PROMPT` starts a session on the task's prompt; /exit ends it with 0", async () => {
    await using standin = await startStandin();
    let server: ServerHandle | undefined;
    {
      await using world = new World();
      try {
        // An --add-dir folder that is not trusted gets its own trust dialog, which would hold the prompt.
        const setup = await realClaudeServer(world, standin, { trusted: ["/tmp"] });
        server = setup.server;
        const api = setup.server.api;
        const res = await api("/dispatch/interactive/TASK-42", {
          method: "POST",
          body: JSON.stringify({ extras: ["--add-dir", "/tmp"] }),
        });
        expect(res.status).toBe(201);
        expect(await res.json()).toMatchObject({ session: "claude-interactive-TASK-42", headless: false, state: "running" });

        // The prompt after `--` was submitted as the first user message (not taken as a directory).
        const screen = () => world.tmux("capture-pane", "-p", "-t", SESSION).out;
        await waitFor(
          "the first prompt to reach the model",
          () => standin.requests().some((r) => /TASK-42/.test(userText(r.body)) && /Answer everything/.test(userText(r.body))),
          45000,
        ).catch((error) => {
          throw new Error(
            `${error.message}\n--- screen:\n${screen()}\n--- requests: ${standin
              .requests()
              .map((r) => r.url)
              .join(", ")}`,
          );
        });
        // Let the reply show before typing, so /exit does not land in the middle of the turn.
        await waitFor("the reply on screen", () => screen().includes(STANDIN_REPLY), 30000);

        // The TUI may need a moment before it takes keys: send /exit until the run ends.
        const done = await waitFor(
          "the exit after /exit",
          async () => {
            const s = await (await api("/status/interactive/TASK-42")).json();
            if (s.state !== "running") return s;
            world.tmux("send-keys", "-t", SESSION, "/exit", "Enter");
            await Bun.sleep(3000);
            return null;
          },
          45000,
        ).catch((error) => {
          throw new Error(`${error.message}\n--- screen:\n${screen()}`);
        });
        expect(done).toMatchObject({ state: "finished", running: false, exitCode: 0 });
      } finally {
        await stopAll(server);
      }
    }
  }, 120000);

  test("an untrusted repository's Claude project files (a hook, an MCP server) do not run under claude -p; once trusted they do", async () => {
    await using standin = await startStandin();
    let server: ServerHandle | undefined;
    {
      await using world = new World();
      try {
        const hookRan = join(world.repo.root, "HOOK-RAN");
        const mcpRan = join(world.repo.root, "MCP-RAN");
        world.repo.write(
          ".claude/settings.json",
          JSON.stringify({ hooks: { SessionStart: [{ hooks: [{ type: "command", command: `touch ${hookRan}` }] }] } }),
        );
        world.repo.write(
          ".mcp.json",
          JSON.stringify({ mcpServers: { review: { command: "/bin/sh", args: ["-c", `touch ${mcpRan}; sleep 2`] } } }),
        );
        git(world.repo.repo, "add", "-A");
        git(world.repo.repo, "commit", "-q", "-m", "project settings");
        const setup = await realClaudeServer(world, standin);
        server = setup.server;

        expect((await server.api("/dispatch/code-review/TASK-42", { method: "POST" })).status).toBe(201);
        expect(await finished(server, "code-review", 45000)).toMatchObject({ state: "finished", exitCode: 0 });
        expect([existsSync(hookRan), existsSync(mcpRan)]).toEqual([false, false]);

        const { fingerprint } = await (await server.api("/trust")).json();
        expect((await server.api("/trust", { method: "POST", body: JSON.stringify({ fingerprint }) })).status).toBe(200);
        expect((await server.api("/dispatch/code-review/TASK-42", { method: "POST" })).status).toBe(201);
        expect(await finished(server, "code-review", 45000)).toMatchObject({ state: "finished", exitCode: 0 });
        expect([existsSync(hookRan), existsSync(mcpRan)]).toEqual([true, true]);
      } finally {
        await stopAll(server);
      }
    }
  }, 120000);
});
