import { describe, expect, test } from "bun:test";
import { World, waitFor } from "./helpers/world.ts";
import { collectSocket } from "./helpers/ws.ts";

const TEN_MB = 10 * 1024 * 1024;

function checkNumbered(text: string, expectedLines: number): void {
  const lines = text.split("\n").filter((l) => /^\d{8} /.test(l));
  expect(lines.length).toBe(expectedLines);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.slice(0, 8) !== String(i).padStart(8, "0")) throw new Error(`line ${i} out of order: ${lines[i]?.slice(0, 20)}`);
  }
}

describe("WS /logs", () => {
  test("delivers every byte of a 10 MB log in order while it is written, then closes normally", async () => {
    await using world = new World();
    const server = await world.server();
    const run = await (
      await server.api("/dispatch/code-review/TASK-42", {
        method: "POST",
        body: JSON.stringify({ extras: ["--fake-bytes", String(TEN_MB), "--fake-sleep", "1"] }),
      })
    ).json();
    const live = await collectSocket(`ws://127.0.0.1:${server.port}/logs/code-review/TASK-42?token=${server.token}`);
    expect(live.code).toBe(1000);
    const file = Buffer.from(await (await server.api("/logs/code-review/TASK-42")).arrayBuffer());
    expect(live.bytes.length).toBe(file.length);
    expect(live.bytes.equals(file)).toBe(true);
    expect(file.length).toBeGreaterThan(TEN_MB);
    checkNumbered(live.bytes.toString("utf8"), Math.ceil(TEN_MB / 64));
    expect(live.bytes.toString("utf8")).toContain('"type":"result"');
    expect((await (await server.api("/status/code-review/TASK-42")).json()).runId).toBe(run.runId);

    // ?from= resumes at a byte offset.
    const from = 5_000_001;
    const resumed = await collectSocket(`ws://127.0.0.1:${server.port}/logs/code-review/TASK-42?token=${server.token}&from=${from}`);
    expect(resumed.code).toBe(1000);
    expect(resumed.bytes.equals(file.subarray(from))).toBe(true);
  });

  test("an interactive run's log streams over the socket and closes when the agent exits", async () => {
    await using world = new World();
    const server = await world.server();
    await server.api("/dispatch/interactive/TASK-42", { method: "POST" });
    const socket = collectSocket(`ws://127.0.0.1:${server.port}/logs/interactive/TASK-42?token=${server.token}`);
    await waitFor("the prompt", () => /^>/m.test(world.tmux("capture-pane", "-p", "-t", "=claude-interactive-TASK-42:").out));
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "-l", "exit 0");
    world.tmux("send-keys", "-t", "=claude-interactive-TASK-42:", "Enter");
    const result = await socket;
    expect(result.code).toBe(1000);
    const text = result.bytes.toString("utf8");
    expect(text).toContain("prompt: You are working on task TASK-42");
    expect(text).toContain("bye");
  });

  test("a socket without a token is refused; an unknown run is a 404", async () => {
    await using world = new World();
    const server = await world.server();
    const noToken = await fetch(`${server.url}/logs/code-review/TASK-42`, {
      headers: {
        upgrade: "websocket",
        connection: "upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
      },
    });
    expect(noToken.status).toBe(401);
    const none = await server.api("/logs/code-review/TASK-42");
    expect(none.status).toBe(404);
    expect((await none.json()).error.code).toBe("not_found");
  });
});
