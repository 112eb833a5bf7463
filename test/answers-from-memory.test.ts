// GET answers come from memory and are sent as the same bytes until the engine says something
// changed; a client that holds them (its ETag) gets a 304 meanwhile (issue 13).
import { describe, expect, test } from "bun:test";
import { taskFile } from "./helpers/repo.ts";
import { World } from "./helpers/world.ts";

describe("answers from memory", () => {
  test("/tasks, /tasks/{id}, /status and /runs: an ETag, a 304 while nothing changed, new bytes after an event", async () => {
    await using world = new World();
    const server = await world.server();
    const events = await server.events();
    for (const path of ["/tasks", "/tasks/TASK-42", "/status/code-review/TASK-42", "/runs?task=TASK-42"]) {
      const first = await server.api(path);
      const etag = first.headers.get("etag");
      expect({ path, etag }).toEqual({ path, etag: expect.stringMatching(/^"[0-9a-z]+"$/) });
      expect(first.headers.get("cache-control")).toBe("no-cache");
      const again = await server.api(path, { headers: { "if-none-match": etag as string } });
      expect({ path, status: again.status, body: await again.text() }).toEqual({ path, status: 304, body: "" });
    }
    const before = await server.api("/tasks");
    const etag = before.headers.get("etag") as string;
    const body = await before.text();

    // A run starts and ends: the same request now gets the new state.
    await server.api("/dispatch/code-review/TASK-42", { method: "POST" });
    await server.ended("code-review", "TASK-42");
    const after = await server.api("/tasks", { headers: { "if-none-match": etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    const tasks = (await after.json()).tasks;
    expect(tasks.find((t: { id: string }) => t.id === "TASK-42").runs["code-review"].state).toBe("finished");
    expect(JSON.parse(body).tasks.find((t: { id: string }) => t.id === "TASK-42").runs["code-review"]).toBeUndefined();

    // A task file changes on disk: the list follows.
    const mark = events.messages.length;
    world.repo.write("tasks/TASK-42.md", taskFile("TASK-42", "A new title"));
    await events.next("tasks.changed", (m) => m.type === "tasks.changed" && events.messages.indexOf(m) >= mark);
    const renamed = (await (await server.api("/tasks/TASK-42")).json()).title;
    expect(renamed).toBe("A new title");
  });
});
