import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { taskFile } from "./helpers/repo.ts";
import { World, waitFor } from "./helpers/world.ts";

function listen(url: string): { messages: Array<Record<string, unknown>>; close(): void; opened: Promise<void> } {
  const ws = new WebSocket(url);
  const messages: Array<Record<string, unknown>> = [];
  ws.onmessage = (event) => messages.push(JSON.parse(String(event.data)));
  const opened = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("socket error"));
  });
  return { messages, close: () => ws.close(), opened };
}

describe("WS /events and the task store", () => {
  test("pushes run changes made by the CLI and task file changes, without a request", async () => {
    await using world = new World();
    const server = await world.server();
    const events = listen(`ws://127.0.0.1:${server.port}/events?token=${server.token}`);
    await events.opened;
    await waitFor("hello", () => events.messages.some((m) => m.type === "hello"));

    const cli = await world.cli(["code-review", "TASK-42", "--fake-exit", "2"]);
    expect(cli.code).toBe(2);
    const runEvents = () => events.messages.filter((m) => String(m.type).startsWith("run."));
    await waitFor("the run's end", () => runEvents().some((m) => m.type === "run.ended"));
    // Transitions, in order: started, then ended with how it ended.
    const types = runEvents().map((m) => m.type);
    expect(types[0]).toBe("run.started");
    expect(types.at(-1)).toBe("run.ended");
    const ended = runEvents().at(-1) as { run: { state: string; exitCode: number }; outcome: string };
    expect(ended.run).toMatchObject({ state: "failed", exitCode: 2 });
    expect(ended.outcome).toBe("failed with exit code 2");
    const status = await (await server.api("/status/code-review/TASK-42")).json();
    expect(status).toMatchObject({ state: "failed", exitCode: 2 });

    world.repo.write("tasks/TASK-99.md", taskFile("TASK-99", "Brand new"));
    await waitFor("a tasks event", () => events.messages.some((m) => m.type === "tasks.changed"));
    const tasks = await (await server.api("/tasks")).json();
    expect(tasks.tasks.map((t: { id: string }) => t.id)).toContain("TASK-99");
    expect(tasks.tasks.find((t: { id: string }) => t.id === "TASK-42").runs["code-review"]).toMatchObject({ state: "failed", exitCode: 2 });

    writeFileSync(join(world.repo.repo, "tasks", "TASK-99.md"), taskFile("TASK-99", "Renamed"));
    await waitFor("the new title", async () => (await (await server.api("/tasks/TASK-99")).json()).title === "Renamed");
    const detail = await (await server.api("/tasks/TASK-99")).json();
    expect(detail).toMatchObject({
      id: "TASK-99",
      branch: "task/TASK-99",
      worktree: join(world.repo.worktrees, "TASK-99"),
      body: "Do the thing.\n",
    });
    events.close();
  });

  test("the browser's token cookie: set by /?token=, dropped from the address, accepted only from our own pages", async () => {
    await using world = new World();
    const server = await world.server();
    const landing = await fetch(`${server.url}/?token=${server.token}`, { redirect: "manual" });
    expect(landing.status).toBe(302);
    expect(landing.headers.get("location")).toBe("/");
    const cookie = landing.headers.get("set-cookie") ?? "";
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    const pair = cookie.split(";")[0] as string;
    const same = await fetch(`${server.url}/dispatch/code-review/TASK-42`, {
      method: "POST",
      headers: { cookie: pair, "sec-fetch-site": "same-origin", origin: server.url },
    });
    expect(same.status).toBe(201);
    const runs = await (await server.api("/runs")).json();
    expect(runs.runs[0].origin).toBe("ui");
    const wrong = await fetch(`${server.url}/?token=nope`);
    expect(wrong.status).toBe(401);
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain("dispatch serve");
  });
});
