import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { taskFile } from "./helpers/repo.ts";
import { type ServerHandle, World, waitFor } from "./helpers/world.ts";
import type { EventLog } from "./helpers/ws.ts";

const PANE = "=claude-interactive-TASK-42:";

/**
 * Types a line into the session once the pane's last line asks for it, as a person would: the
 * empty prompt `>`, or a question (`at`: how the line ends).
 */
async function type(world: World, text: string, at: "prompt" | "(y/n)" = "prompt") {
  await waitFor(`the agent's ${at}`, () => {
    const lines = world.tmux("capture-pane", "-p", "-t", PANE).out.trimEnd().split("\n");
    const last = lines[lines.length - 1]?.trim() ?? "";
    return at === "prompt" ? last === ">" : last.endsWith(at);
  });
  world.tmux("send-keys", "-t", PANE, "-l", text);
  world.tmux("send-keys", "-t", PANE, "Enter");
}

/** The next run.activity event that reaches `activity` (after the ones already seen). */
function reaches(events: EventLog, activity: string, from: number) {
  return events.next(
    `activity ${activity}`,
    (m) => m.type === "run.activity" && events.messages.indexOf(m) >= from && (m.run as { activity: string }).activity === activity,
  );
}

const status = async (server: ServerHandle) => (await server.api("/status/interactive/TASK-42")).json();

describe("what an agent does, from its hooks (the fake agent runs Claude Code's hooks)", () => {
  test("interactive: waiting after the first turn, working and waiting on a prompt, needs approval shown and answered from the API, the pane's own answer, an error, /clear, exit", async () => {
    await using world = new World();
    const server = await world.server();
    const events = await server.events();
    const run = await (await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).json();
    await reaches(events, "waiting", 0);
    const agent = await waitFor("the agent", () => world.agentRuns()[0]);
    expect(await status(server)).toMatchObject({ state: "running", activity: "waiting", sessionId: agent.setup.sessionId });
    expect(agent.setup).toMatchObject({ name: "TASK-42", settings: join(world.stateDir, "agents", `${run.runId}.settings.json`) });

    // A prompt typed in the pane: working, then waiting.
    let mark = events.messages.length;
    await type(world, "hello");
    await reaches(events, "working", mark);
    await reaches(events, "waiting", mark);

    // A tool that needs approval: shown with its command, allowed from the API, the tool runs.
    const proof = join(world.repo.root, "proof");
    mark = events.messages.length;
    await type(world, `bash touch ${proof}`);
    const asked = (await reaches(events, "needs-approval", mark)) as { run: { pending: { tool: string; summary: string } } };
    expect(asked.run.pending).toMatchObject({ tool: "Bash", summary: `touch ${proof}` });
    expect((await status(server)).pending).toMatchObject({ kind: "approval", tool: "Bash", summary: `touch ${proof}` });
    const allowed = await server.api("/approve/interactive/TASK-42", { method: "POST", body: JSON.stringify({ decision: "allow" }) });
    expect(await allowed.json()).toMatchObject({ decided: true, tool: "Bash", summary: `touch ${proof}` });
    await reaches(events, "waiting", mark);
    expect(existsSync(proof)).toBe(true);
    // Nothing waits now: a second answer is refused.
    expect((await server.api("/approve/interactive/TASK-42", { method: "POST", body: JSON.stringify({ decision: "allow" }) })).status).toBe(
      409,
    );

    // Denied in the pane: no hook fires; Claude Code's session registry says it is idle again.
    const never = join(world.repo.root, "never");
    mark = events.messages.length;
    await type(world, `bash touch ${never}`);
    await reaches(events, "needs-approval", mark);
    await type(world, "n", "(y/n)");
    await reaches(events, "waiting", mark);
    expect(existsSync(never)).toBe(false);
    expect((await status(server)).pending).toBeUndefined();

    // The API fails: an error, with its message.
    mark = events.messages.length;
    await type(world, "fail");
    const failed = (await reaches(events, "error", mark)) as { run: { pending: { summary: string } } };
    expect(failed.run.pending.summary).toContain("API Error: 400");

    // /clear: a new session id is recorded.
    const before = (await status(server)).sessionId;
    await type(world, "/clear");
    await waitFor("the new session id", async () => (await status(server)).sessionId !== before);

    // The CLI shows what it does.
    const cli = await world.cli(["status", "interactive", "TASK-42"]);
    expect(cli.stdout).toContain("activity: waiting");

    await type(world, "exit 0");
    expect(await server.ended("interactive", "TASK-42")).toMatchObject({ state: "finished", exitCode: 0 });
    expect((await status(server)).activity).toBeUndefined();
  });

  test("headless: a request to run a tool waits for a decision from the CLI, and the tool runs", async () => {
    await using world = new World();
    const proof = join(world.repo.root, "headless-proof");
    world.repo.write("tasks/TASK-9.md", taskFile("TASK-9", "Run a tool", `FAKE_BASH touch ${proof}`));
    const server = await world.server();
    const events = await server.events();
    await server.api("/dispatch/code-review/TASK-9", { method: "POST" });
    await events.next("needs approval", (m) => m.type === "run.activity" && (m.run as { activity: string }).activity === "needs-approval");
    const approve = await world.cli(["approve", "code-review", "TASK-9"]);
    expect(approve).toMatchObject({ code: 0 });
    expect(approve.stdout).toBe(`allowed Bash: touch ${proof} (code-review on TASK-9)\n`);
    expect(await server.ended("code-review", "TASK-9")).toMatchObject({ state: "finished", exitCode: 0 });
    expect(existsSync(proof)).toBe(true);
  });

  test("deny with a message: the tool does not run, the agent is told why; approving what nothing asks is a 409", async () => {
    await using world = new World();
    const proof = join(world.repo.root, "denied-proof");
    world.repo.write("tasks/TASK-9.md", taskFile("TASK-9", "Run a tool", `FAKE_BASH touch ${proof}`));
    const server = await world.server();
    const events = await server.events();
    expect((await server.api("/approve/code-review/TASK-9", { method: "POST", body: JSON.stringify({ decision: "allow" }) })).status).toBe(
      409,
    );
    await server.api("/dispatch/code-review/TASK-9", { method: "POST" });
    await events.next("needs approval", (m) => m.type === "run.activity" && (m.run as { activity: string }).activity === "needs-approval");
    const bad = await server.api("/approve/code-review/TASK-9", { method: "POST", body: JSON.stringify({ decision: "maybe" }) });
    expect(bad.status).toBe(400);
    // An answer shown for another request (a notification or a tray item from before) answers nothing.
    const stale = await server.api("/approve/code-review/TASK-9", {
      method: "POST",
      body: JSON.stringify({ decision: "allow", request: "0123456789abcdef" }),
    });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.message).toContain("was answered already; it now asks: touch");
    expect(existsSync(proof)).toBe(false);
    const deny = await world.cli(["deny", "code-review", "TASK-9", "--message", "not on my machine"]);
    expect(deny.code).toBe(0);
    await server.ended("code-review", "TASK-9");
    expect(existsSync(proof)).toBe(false);
    expect(await (await server.api("/logs/code-review/TASK-9")).text()).toContain("denied by a hook: not on my machine");
  });
});

describe("resume", () => {
  test("continues the latest session of {mode, task} as a new run linked to the one it continues, from the API and the CLI", async () => {
    await using world = new World();
    const server = await world.server();
    const first = await (await server.api("/dispatch/interactive/TASK-42", { method: "POST" })).json();
    const agent = await waitFor("the agent", () => world.agentRuns()[0]);
    await server.api("/stop/interactive/TASK-42", { method: "POST" });

    const res = await server.api("/dispatch/interactive/TASK-42", { method: "POST", body: JSON.stringify({ resume: true }) });
    expect(res.status).toBe(201);
    const resumed = await res.json();
    expect(resumed).toMatchObject({ resumedFrom: first.runId });
    const second = await waitFor("the resumed agent", () => world.agentRuns()[1]);
    // The same session, continued: no new task prompt.
    expect(second.setup).toMatchObject({ resume: agent.setup.sessionId, name: "TASK-42" });
    expect(second.prompt).toBe("");
    expect(await status(server)).toMatchObject({ sessionId: agent.setup.sessionId, runId: resumed.runId });
    const history = (await (await server.api("/runs?task=TASK-42")).json()).runs;
    expect(history[0]).toMatchObject({ runId: resumed.runId, resumedFrom: first.runId, sessionId: agent.setup.sessionId });
    await server.api("/stop/interactive/TASK-42", { method: "POST" });

    // Headless, from the CLI: `claude -p --resume ID` with a short prompt to go on.
    const cli = await world.cli(["code-review", "TASK-42"]);
    expect(cli.code).toBe(0);
    const again = await world.cli(["code-review", "TASK-42", "--resume"]);
    expect(again.code).toBe(0);
    const runs = world.agentRuns();
    expect(runs.at(-1)?.setup.resume).toBe(runs.at(-2)?.setup.sessionId);
    expect(runs.at(-1)?.prompt).toBe("Continue with the task where you left off.");
  });

  test("nothing to resume is a clear 409", async () => {
    await using world = new World();
    const server = await world.server();
    const res = await server.api("/dispatch/interactive/TASK-42", { method: "POST", body: JSON.stringify({ resume: true }) });
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toBe("nothing to resume: no run of interactive on TASK-42 has a session yet");
  });
});
