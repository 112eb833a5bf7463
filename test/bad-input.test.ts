import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { raw } from "./helpers/raw-http.ts";
import { type ServerHandle, World, waitFor } from "./helpers/world.ts";

let world: World;
let server: ServerHandle;

beforeAll(async () => {
  world = new World();
  server = await world.server();
});
afterAll(async () => {
  await world[Symbol.asyncDispose]();
});

const post = (path: string, init: RequestInit = {}) => server.api(path, { method: "POST", ...init });

type Case = { name: string; send: () => Promise<Response | { status: number; body: string }>; status: number; code: string };

const badIds = [
  ["a dot", "TASK.42"],
  ["a colon", "TASK:42"],
  ["an encoded slash", "TASK%2F42"],
  ["a slash", "TASK/42"],
  ["a space", "TASK%2042"],
  ["an equals sign", "TASK%3D42"],
  ["non-ASCII", "T%C3%84SK-42"],
  ["65 characters", "A".repeat(65)],
  ["a semicolon", "TASK%3B42"],
  ["a NUL", "TASK%0042"],
];

const cases: Case[] = [
  ...badIds.map(([what, id]) => ({
    name: `an id with ${what}`,
    send: () => post(`/dispatch/code-review/${id}`),
    status: 400,
    code: "invalid_id",
  })),
  ...badIds.slice(0, 4).map(([what, id]) => ({
    name: `status of an id with ${what}`,
    send: () => server.api(`/status/code-review/${id}`),
    status: 400,
    code: "invalid_id",
  })),
  // URLs fold `..` (even encoded) before routing: what is left names no mode.
  {
    name: "an id of ..",
    send: () =>
      raw(
        server.port,
        `POST /dispatch/code-review/%2E%2E HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      ),
    status: 400,
    code: "invalid_mode",
  },
  {
    name: "an id of .. (raw)",
    send: () =>
      raw(
        server.port,
        `POST /dispatch/code-review/.. HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      ),
    status: 400,
    code: "invalid_mode",
  },
  {
    name: "an empty id",
    send: () =>
      raw(
        server.port,
        `POST /dispatch/code-review/ HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      ),
    status: 400,
    code: "invalid_id",
  },
  { name: "a mode name with a dot", send: () => post("/dispatch/code.review/TASK-42"), status: 400, code: "invalid_mode" },
  { name: "an unknown mode", send: () => post("/dispatch/nope/TASK-42"), status: 404, code: "unknown_mode" },
  { name: "an unknown task", send: () => post("/dispatch/code-review/TASK-404"), status: 404, code: "unknown_task" },
  { name: "an unknown task's detail", send: () => server.api("/tasks/TASK-404"), status: 404, code: "unknown_task" },
  { name: "malformed JSON", send: () => post("/dispatch/code-review/TASK-42", { body: "{extras: [" }), status: 400, code: "invalid_json" },
  {
    name: "extras that are a string",
    send: () => post("/dispatch/code-review/TASK-42", { body: JSON.stringify({ extras: "--model x" }) }),
    status: 400,
    code: "invalid_extras",
  },
  {
    name: "extras with a number",
    send: () => post("/dispatch/code-review/TASK-42", { body: JSON.stringify({ extras: ["--a", 3] }) }),
    status: 400,
    code: "invalid_extras",
  },
  {
    name: "a body that is an array",
    send: () => post("/dispatch/code-review/TASK-42", { body: "[]" }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "an unknown body key",
    send: () => post("/dispatch/code-review/TASK-42", { body: JSON.stringify({ extras: [], shell: "rm" }) }),
    status: 400,
    code: "invalid_request",
  },
  {
    name: "--save-to outside the worktree",
    send: () => post("/dispatch/code-review/TASK-42", { body: JSON.stringify({ extras: ["--save-to", "../../x"] }) }),
    status: 400,
    code: "invalid_extras",
  },
  {
    name: "--save-to on an interactive mode",
    send: () => post("/dispatch/interactive/TASK-42", { body: JSON.stringify({ extras: ["--save-to", "x.md"] }) }),
    status: 400,
    code: "invalid_extras",
  },
  {
    name: "a body over 1 MiB",
    send: () => post("/dispatch/code-review/TASK-42", { body: JSON.stringify({ extras: ["x".repeat(1024 * 1024 + 10)] }) }),
    status: 413,
    code: "body_too_large",
  },
  {
    name: "no token",
    send: () => fetch(`${server.url}/dispatch/code-review/TASK-42`, { method: "POST" }),
    status: 401,
    code: "unauthorized",
  },
  {
    name: "a wrong token",
    send: () =>
      fetch(`${server.url}/dispatch/code-review/TASK-42`, { method: "POST", headers: { authorization: `Bearer ${"0".repeat(64)}` } }),
    status: 401,
    code: "unauthorized",
  },
  {
    name: "a token in the query of a plain request",
    send: () => fetch(`${server.url}/dispatch/code-review/TASK-42?token=${server.token}`, { method: "POST" }),
    status: 401,
    code: "unauthorized",
  },
  {
    name: "a wrong cookie",
    send: () => fetch(`${server.url}/status/code-review/TASK-42`, { headers: { cookie: `dispatch_token_${server.port}=nope` } }),
    status: 401,
    code: "unauthorized",
  },
  {
    name: "the right cookie from another site's page",
    send: () =>
      fetch(`${server.url}/dispatch/code-review/TASK-42`, {
        method: "POST",
        headers: { cookie: `dispatch_token_${server.port}=${server.token}`, "sec-fetch-site": "same-site" },
      }),
    status: 403,
    code: "forbidden",
  },
  {
    name: "the right cookie without Sec-Fetch-Site",
    send: () =>
      fetch(`${server.url}/dispatch/code-review/TASK-42`, {
        method: "POST",
        headers: { cookie: `dispatch_token_${server.port}=${server.token}` },
      }),
    status: 403,
    code: "forbidden",
  },
  {
    name: "a foreign Host",
    send: () =>
      raw(
        server.port,
        `POST /dispatch/code-review/TASK-42 HTTP/1.1\r\nHost: evil.example:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      ),
    status: 403,
    code: "forbidden",
  },
  {
    name: "a loopback Host with another port",
    send: () => raw(server.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n\r\n`),
    status: 403,
    code: "forbidden",
  },
  {
    name: "a foreign Origin",
    send: () => post("/dispatch/code-review/TASK-42", { headers: { origin: "http://evil.example" } }),
    status: 403,
    code: "forbidden",
  },
  {
    name: "another local server's Origin",
    send: () => post("/dispatch/code-review/TASK-42", { headers: { origin: "http://127.0.0.1:1" } }),
    status: 403,
    code: "forbidden",
  },
  { name: "an unknown route", send: () => server.api("/nope"), status: 404, code: "not_found" },
  { name: "a wrong method", send: () => server.api("/dispatch/code-review/TASK-42"), status: 405, code: "method_not_allowed" },
  { name: "a runs limit that is not a number", send: () => server.api("/runs?limit=lots"), status: 400, code: "invalid_request" },
  { name: "runs of an invalid task id", send: () => server.api("/runs?task=a.b"), status: 400, code: "invalid_id" },
];

describe("bad input gets a clear 4xx JSON error and changes nothing", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const before = existsSync(join(world.stateDir, "logs")) ? readdirSync(join(world.stateDir, "logs")).length : 0;
      const res = await c.send();
      const text = res instanceof Response ? await res.text() : res.body;
      expect(res.status).toBe(c.status);
      const body = JSON.parse(text);
      expect(body.error.code).toBe(c.code);
      expect(body.error.message).toBeString();
      // No process started, no file written, the server still healthy.
      expect(world.agentRuns().length).toBe(0);
      expect(readdirSync(join(world.stateDir, "logs")).length).toBe(before);
      expect(readdirSync(join(world.stateDir, "specs")).length).toBe(0);
      expect(existsSync(world.repo.worktrees)).toBe(false);
      expect((await (await fetch(`${server.url}/health`)).json()).ok).toBe(true);
    });
  }

  test("no run was recorded by any of them", async () => {
    expect((await (await server.api("/runs")).json()).runs).toEqual([]);
  });

  test("shell metacharacters in extras reach the agent as one argv element each", async () => {
    const hostile = [
      "$(touch /tmp/pwned)",
      "`id`",
      "a;b",
      "x && y",
      "| cat",
      "'quoted'",
      '"double"',
      "new\nline",
      "ends-with;",
      "*",
      "~",
      "$HOME",
    ];
    const res = await post("/dispatch/code-review/TASK-42", { body: JSON.stringify({ extras: hostile }) });
    expect(res.status).toBe(201);
    const agent = await (async () => {
      for (let i = 0; i < 200 && world.agentRuns().length === 0; i++) await Bun.sleep(25);
      return world.agentRuns()[0];
    })();
    expect(agent?.argv.slice(4)).toEqual(hostile);
    expect(existsSync("/tmp/pwned")).toBe(false);
  });

  test("the same through an interactive run in tmux", async () => {
    const hostile = ["a;", ";", "$(id)", "#{session_name}"];
    const res = await post("/dispatch/interactive/TASK-7", { body: JSON.stringify({ extras: hostile }) });
    expect(res.status).toBe(201);
    const agent = await waitFor("the agent", () => world.agentRuns().find((a) => a.env.DISPATCH_TASK_ID === "TASK-7"));
    expect(agent.argv.slice(0, hostile.length)).toEqual(hostile);
    expect(agent.argv[hostile.length]).toBe("--");
    await server.api("/stop/interactive/TASK-7", { method: "POST" });
  });
});

describe("the server listens on 127.0.0.1 only", () => {
  test("its socket is bound to the loopback address", async () => {
    const tables = ["/proc/net/tcp", "/proc/net/tcp6"].filter(existsSync).map((f) => Bun.file(f).text());
    const lines = (await Promise.all(tables)).join("\n").split("\n");
    const hex = server.port.toString(16).toUpperCase().padStart(4, "0");
    // Listening sockets (state 0A) on our port: every one must be 127.0.0.1 (0100007F).
    const listening = lines.map((l) => l.trim().split(/\s+/)).filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === "0A");
    expect(listening.length).toBeGreaterThan(0);
    for (const f of listening) expect(f[1]).toBe(`0100007F:${hex}`);
  });

  test("another address of this machine is refused", async () => {
    const { networkInterfaces } = await import("node:os");
    const other = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal);
    const target = other?.address ?? "127.0.0.2";
    const refused = await fetch(`http://${target}:${server.port}/health`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
  });
});
