import { describe, expect, test } from "bun:test";
import { DispatchError } from "../errors.ts";
import { authenticate, checkHostAndOrigin, checkIntent, type Guard } from "./security.ts";

const guard: Guard = { port: 4317, token: "a".repeat(64), extraOrigins: ["http://localhost:9999"] };
const req = (headers: Record<string, string>) => new Request("http://127.0.0.1:4317/status/m/T", { headers });
const code = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (error) {
    return error instanceof DispatchError ? error.code : "other";
  }
};

describe("security", () => {
  test("Host must be loopback with our port", () => {
    expect(code(() => checkHostAndOrigin(req({ host: "127.0.0.1:4317" }), guard))).toBe("ok");
    expect(code(() => checkHostAndOrigin(req({ host: "localhost:4317" }), guard))).toBe("ok");
    for (const host of ["evil.com:4317", "127.0.0.1:80", "127.0.0.1", "localhost.evil.com:4317"]) {
      expect(code(() => checkHostAndOrigin(req({ host }), guard))).toBe("forbidden");
    }
  });

  test("Origin, when present, must be ours or the desktop window's", () => {
    const host = "127.0.0.1:4317";
    expect(code(() => checkHostAndOrigin(req({ host, origin: "http://127.0.0.1:4317" }), guard))).toBe("ok");
    expect(code(() => checkHostAndOrigin(req({ host, origin: "http://localhost:9999" }), guard))).toBe("ok");
    for (const origin of ["http://127.0.0.1:4318", "null", "https://127.0.0.1:4317", "http://evil.com"]) {
      expect(code(() => checkHostAndOrigin(req({ host, origin }), guard))).toBe("forbidden");
    }
  });

  test("token: bearer, query only where allowed, cookie only from our own pages", () => {
    const url = new URL("http://127.0.0.1:4317/x");
    const cookie = `dispatch_token_4317=${guard.token}`;
    expect(authenticate(req({ authorization: `Bearer ${guard.token}` }), url, guard, { allowQuery: false }).via).toBe("bearer");
    expect(code(() => authenticate(req({ authorization: "Bearer nope" }), url, guard, { allowQuery: false }))).toBe("unauthorized");
    expect(code(() => authenticate(req({}), url, guard, { allowQuery: false }))).toBe("unauthorized");
    const withQuery = new URL(`http://127.0.0.1:4317/x?token=${guard.token}`);
    expect(authenticate(req({}), withQuery, guard, { allowQuery: true }).via).toBe("query");
    expect(code(() => authenticate(req({}), withQuery, guard, { allowQuery: false }))).toBe("unauthorized");
    expect(authenticate(req({ cookie, "sec-fetch-site": "same-origin" }), url, guard, { allowQuery: false }).via).toBe("cookie");
    expect(authenticate(req({ cookie, "sec-fetch-site": "none" }), url, guard, { allowQuery: false }).via).toBe("cookie");
    // Without Sec-Fetch-Site (older browsers, WebSocket handshakes) only our own Origin vouches for it.
    expect(code(() => authenticate(req({ cookie }), url, guard, { allowQuery: false }))).toBe("forbidden");
    expect(authenticate(req({ cookie, origin: "http://127.0.0.1:4317" }), url, guard, { allowQuery: false }).via).toBe("cookie");
    expect(code(() => authenticate(req({ cookie, origin: "http://localhost:9999" }), url, guard, { allowQuery: false }))).toBe("forbidden");
    for (const site of ["same-site", "cross-site"]) {
      expect(code(() => authenticate(req({ cookie, "sec-fetch-site": site }), url, guard, { allowQuery: false }))).toBe("forbidden");
    }
    // Another Dispatch on another port has its own cookie name.
    expect(code(() => authenticate(req({ cookie: `dispatch_token_4318=${guard.token}` }), url, guard, { allowQuery: false }))).toBe(
      "unauthorized",
    );
  });

  test("a change from a browser needs a POST from our own page; bearer clients are not browsers", () => {
    const post = (site?: string) =>
      new Request("http://127.0.0.1:4317/stop/m/T", { method: "POST", headers: site ? { "sec-fetch-site": site } : {} });
    expect(code(() => checkIntent(post("same-origin"), { via: "cookie" }))).toBe("ok");
    for (const site of ["none", "same-site", "cross-site", undefined])
      expect(code(() => checkIntent(post(site), { via: "cookie" }))).toBe("forbidden");
    const get = new Request("http://127.0.0.1:4317/stop/m/T", { headers: { "sec-fetch-site": "same-origin" } });
    expect(code(() => checkIntent(get, { via: "cookie" }))).toBe("forbidden");
    expect(code(() => checkIntent(get, { via: "bearer" }))).toBe("ok");
    expect(code(() => checkIntent(post(), { via: "query" }))).toBe("forbidden");
  });

  test("a malformed Host is refused as text, before anything parses it", () => {
    for (const host of ["127.0.0.1:abc", "", "[::1", "127.0.0.1:99999", "a@evil.example", "127.0.0.1:4317.evil"]) {
      expect(code(() => checkHostAndOrigin(req({ host }), guard))).toBe("forbidden");
    }
  });
});
