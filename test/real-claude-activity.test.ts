// What Dispatch knows of a REAL Claude Code session, from its hooks and its session registry
// (DESIGN §12, FACTS.md), against the scripted stand-in: the Must-show of issue 11.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { realClaudeServer, stopAll } from "./helpers/real-claude.ts";
import { STANDIN_AFTER_TOOL, startStandin } from "./helpers/standin.ts";
import { type ServerHandle, World, waitFor } from "./helpers/world.ts";
import type { EventLog } from "./helpers/ws.ts";

const PANE = "=claude-interactive-TASK-42:";
/** The setting: Claude asks before it runs a tool (the default, auto, needs Anthropic's classifier). */
const MANUAL = ["--permission-mode", "manual"];

type Activity = { activity: string; sessionId?: string; pending?: { kind: string; tool: string; summary: string } };

/** The next run.activity event to `activity` after the first `from` messages. */
function reaches(events: EventLog, activity: string, from: number, timeoutMs = 45000) {
  return events.next(
    `activity ${activity}`,
    (m) => m.type === "run.activity" && events.messages.indexOf(m) >= from && (m.run as Activity).activity === activity,
    timeoutMs,
  ) as Promise<{ run: Activity }>;
}

describe("the real Claude Code CLI, watched through its hooks", () => {
  test("interactive: waiting after the first turn; typing makes it work; a Bash request approved with `dispatch approve`, another denied in the pane; /clear; /exit; Resume", async () => {
    await using standin = await startStandin();
    let server: ServerHandle | undefined;
    {
      await using world = new World();
      const screen = () => world.tmux("capture-pane", "-p", "-t", PANE).out;
      const type = (text: string) => {
        world.tmux("send-keys", "-t", PANE, "-l", text);
        world.tmux("send-keys", "-t", PANE, "Enter");
      };
      const status = async (): Promise<Activity & { state: string; exitCode?: number }> =>
        (await server?.api("/status/interactive/TASK-42"))?.json();
      try {
        server = (await realClaudeServer(world, standin)).server;
        const events = await server.events();
        const started = await server.api("/dispatch/interactive/TASK-42", { method: "POST", body: JSON.stringify({ extras: MANUAL }) });
        expect(started.status).toBe(201);
        const run = await started.json();

        // The task's prompt is the first turn; then the session waits for the user.
        await reaches(events, "waiting", 0).catch((e) => Promise.reject(new Error(`${e.message}\n${screen()}`)));
        const first = await status();
        expect(first).toMatchObject({ state: "running", activity: "waiting" });
        expect(first.sessionId).toMatch(/^[0-9a-f-]{36}$/);

        // A prompt typed in the pane: working, then waiting.
        let mark = events.messages.length;
        type("hello there");
        await reaches(events, "working", mark);
        await reaches(events, "waiting", mark);

        // A Bash request: needs approval, with its command; `dispatch approve` runs it.
        const proof = join(world.repo.root, "proof");
        mark = events.messages.length;
        type(`USE_BASH touch ${proof}`);
        await reaches(events, "needs-approval", mark).catch((e) => Promise.reject(new Error(`${e.message}\n${screen()}`)));
        expect((await status()).pending).toMatchObject({ kind: "approval", tool: "Bash", summary: `touch ${proof}` });
        const approved = await world.cli(["approve", "interactive", "TASK-42"]);
        expect(approved).toMatchObject({ code: 0, stdout: `allowed Bash: touch ${proof} (interactive on TASK-42)\n` });
        await waitFor("the proof file", () => existsSync(proof), 30000);
        await reaches(events, "waiting", mark);
        await waitFor("the reply after the tool", () => screen().includes(STANDIN_AFTER_TOOL), 30000);

        // Another one, denied in the pane (Esc): no hook fires; the session registry says it waits.
        const never = join(world.repo.root, "never");
        mark = events.messages.length;
        type(`USE_BASH touch ${never}`);
        await reaches(events, "needs-approval", mark);
        await waitFor("the permission dialog", () => /Do you want to proceed\?/.test(screen()), 30000);
        world.tmux("send-keys", "-t", PANE, "Escape");
        await reaches(events, "waiting", mark, 5000).catch((e) => Promise.reject(new Error(`${e.message}\n${screen()}`)));
        expect(existsSync(never)).toBe(false);
        expect((await status()).pending).toBeUndefined();

        // /clear: a new session id. A prompt after it, so the new session has a conversation to resume.
        const before = (await status()).sessionId;
        type("/clear");
        const cleared = await waitFor("the new session id", async () => {
          const now = (await status()).sessionId;
          return now !== before && now;
        });
        mark = events.messages.length;
        type("after the clear");
        await reaches(events, "waiting", mark);

        // /exit: finished with 0.
        type("/exit");
        expect(await server.ended("interactive", "TASK-42", 30000)).toMatchObject({ state: "finished", exitCode: 0 });

        // Resume continues that same session: its history goes to the model again.
        const sent = standin.requests().length;
        const resumed = await server.api("/dispatch/interactive/TASK-42", {
          method: "POST",
          body: JSON.stringify({ resume: true, extras: MANUAL }),
        });
        expect(resumed.status).toBe(201);
        expect(await resumed.json()).toMatchObject({ resumedFrom: run.runId });
        expect((await status()).sessionId).toBe(cleared as string);
        mark = events.messages.length;
        await reaches(events, "waiting", mark).catch((e) => Promise.reject(new Error(`${e.message}\n${screen()}`)));
        // Its SessionStart comes before the screen is drawn: keys typed then are lost.
        await waitFor("the resumed conversation on screen", () => screen().includes("after the clear"), 30000);
        type("once more");
        await waitFor(
          "a turn of the resumed session",
          () =>
            standin
              .requests()
              .slice(sent)
              .some((r) => r.prompt === "once more"),
          30000,
        );
        const turn = standin
          .requests()
          .slice(sent)
          .find((r) => r.prompt === "once more");
        // The conversation before /exit came along: more than the one new message.
        expect(turn?.nmsg).toBeGreaterThan(1);
        expect((await status()).sessionId).toBe(cleared as string);
      } finally {
        await stopAll(server);
      }
    }
  }, 240000);
});
