import { afterAll, beforeAll, describe, expect, test } from "bun:test";
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

const request = (host: string | null, extra = "") =>
  `GET /health HTTP/1.1\r\n${host === null ? "" : `Host: ${host}\r\n`}${extra}Connection: close\r\n\r\n`;

describe("malformed requests: a JSON 4xx, one log line, a healthy server", () => {
  const hosts: Array<[string, string | null]> = [
    ["a port that is not a number", "127.0.0.1:abc"],
    ["an empty Host", ""],
    ["an unclosed IPv6 literal", "[::1"],
    ["a port over 65535", "127.0.0.1:99999"],
    ["a user part", "a@evil.example"],
    ["a user part before our own address", `x@127.0.0.1:PORT`],
    ["spaces", "127.0.0.1 :PORT"],
  ];
  for (const [what, host] of hosts) {
    test(`Host with ${what}`, async () => {
      const before = server.log().length;
      const res = await raw(server.port, request(host?.replace("PORT", String(server.port)) ?? null));
      expect(res.status).toBe(403);
      expect(res.head.toLowerCase()).toContain("content-type: application/json");
      expect(JSON.parse(res.body).error.code).toBe("forbidden");
      // Not Bun's development page, never source code.
      expect(res.body).not.toContain("server.ts");
      const logged = server.log().slice(before).trim().split("\n");
      expect(logged).toHaveLength(1);
      expect(logged[0]).toStartWith("dispatch: 403 GET /health: forbidden: Host ");
      expect((await fetch(`${server.url}/health`)).ok).toBe(true);
    });
  }

  test("a body cut off mid-way: one log line, no dump, the server answers the next request", async () => {
    const before = server.log().length;
    await raw(
      server.port,
      `POST /dispatch/code-review/TASK-42 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Length: 5000\r\n\r\n{"extras": [`,
      { closeAfterWrite: true },
    );
    const logged = await waitFor("the server to notice", () => server.log().slice(before).includes("\n") && server.log().slice(before));
    expect(String(logged).trim().split("\n")).toEqual([
      "dispatch: 400 POST /dispatch/code-review/TASK-42: invalid_request: the request body was cut off",
    ]);
    expect((await fetch(`${server.url}/health`)).ok).toBe(true);
    expect(await (await server.api("/status/code-review/TASK-42")).json()).toMatchObject({ state: "idle" });
  });

  test("methods: a known route with another method is a JSON 405; an unknown method never reaches us (Bun closes the connection)", async () => {
    for (const method of ["PUT", "DELETE", "PATCH", "PROPFIND"]) {
      const res = await raw(
        server.port,
        `${method} /stop/code-review/TASK-42 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      expect({ method, status: res.status }).toEqual({ method, status: 405 });
      expect(JSON.parse(res.body).error.code).toBe("method_not_allowed");
    }
    // Documented in the README: Bun's HTTP parser drops a request with a method it does not know.
    const unknown = await raw(server.port, `FROB /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
    expect(unknown.status).toBe(0);
    expect((await fetch(`${server.url}/health`)).ok).toBe(true);
  });
});
