import { timingSafeEqual } from "node:crypto";
import { DispatchError } from "../errors.ts";

/**
 * Who may talk to the server (DESIGN §6): loopback Host only (defeats DNS rebinding), no foreign
 * Origin, a token on every route but /health, and a cookie alone is accepted only from our own
 * pages: another local server's page is the same *site*, so the browser would send it the cookie.
 */
export type Auth = { via: "bearer" | "cookie" | "query" | "none" };

export type Guard = {
  port: number;
  token: string;
  /** Origins besides our own, e.g. the Neutralino window's. */
  extraOrigins: string[];
};

export function cookieName(port: number): string {
  // Cookies ignore ports: two Dispatch servers on one machine must not overwrite each other's.
  return `dispatch_token_${port}`;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return null;
}

export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/**
 * Host and Origin checks, for every route including /health. The Host is compared as text before
 * anything parses it: a malformed one (`127.0.0.1:abc`, `[::1`, `a@evil.example`, empty) makes the
 * request's URL invalid, and is refused like any foreign one.
 */
export function checkHostAndOrigin(req: Request, guard: Guard): void {
  const host = req.headers.get("host");
  const allowedHosts = [`127.0.0.1:${guard.port}`, `localhost:${guard.port}`];
  if (!host || !allowedHosts.includes(host.toLowerCase())) {
    throw new DispatchError("forbidden", `Host ${JSON.stringify(host?.slice(0, 100) ?? null)} is not this server (use ${allowedHosts[0]})`);
  }
  const origin = req.headers.get("origin");
  if (origin !== null && ![...ownOrigins(guard.port), ...guard.extraOrigins].includes(origin)) {
    throw new DispatchError("forbidden", `requests from origin ${origin} are not allowed`);
  }
}

/** Token check; returns how the caller proved it. */
export function authenticate(req: Request, url: URL, guard: Guard, options: { allowQuery: boolean }): Auth {
  const header = req.headers.get("authorization");
  if (header !== null) {
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !sameToken(match[1] as string, guard.token)) throw new DispatchError("unauthorized", "wrong token");
    return { via: "bearer" };
  }
  const query = url.searchParams.get("token");
  if (query !== null && options.allowQuery) {
    if (!sameToken(query, guard.token)) throw new DispatchError("unauthorized", "wrong token");
    return { via: "query" };
  }
  const cookie = readCookie(req.headers.get("cookie"), cookieName(guard.port));
  if (cookie !== null) {
    if (!sameToken(cookie, guard.token)) throw new DispatchError("unauthorized", "wrong token");
    // Our own page proves itself by Sec-Fetch-Site, or (WebSocket handshakes carry no Sec-Fetch-*)
    // by an Origin that is ours. A request saying neither cannot use the cookie.
    const site = req.headers.get("sec-fetch-site");
    const origin = req.headers.get("origin");
    // `none`: the user opened the address (typed it, or a link from another app): it may read.
    const ownPage =
      site === "same-origin" || site === "none" || (site === null && origin !== null && ownOrigins(guard.port).includes(origin));
    if (!ownPage) {
      throw new DispatchError("forbidden", `a ${site ?? "cross-site or unlabelled"} request cannot use the browser's Dispatch cookie`);
    }
    return { via: "cookie" };
  }
  throw new DispatchError(
    "unauthorized",
    "a token is required: send Authorization: Bearer <token> (the token is in .run/server.json), or open the URL that dispatch serve prints",
  );
}

/**
 * A change (dispatch, stop, attach, …) asked by a browser must come from our own page: a POST with
 * `Sec-Fetch-Site: same-origin`. A link opened from a mail or a chat arrives with the cookie and
 * `Sec-Fetch-Site: none`, and another local page's form or image as `same-site`: neither is the
 * user asking. Bearer-token clients (the CLI, scripts, the desktop window) are not browsers.
 */
export function checkIntent(req: Request, auth: Auth): void {
  if (auth.via === "bearer") return;
  if (req.method !== "POST") {
    throw new DispatchError("forbidden", `a browser cannot change anything with ${req.method}: Dispatch's own page uses POST`);
  }
  if (req.headers.get("sec-fetch-site") !== "same-origin") {
    throw new DispatchError("forbidden", "only Dispatch's own page can change anything: a link opened from elsewhere cannot");
  }
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
