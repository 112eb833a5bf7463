import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "bun";
import type { Engine } from "../engine.ts";
import { DispatchError } from "../errors.ts";
import { writePrivateFile } from "../fs/private-file.ts";
import { startTime } from "../proc/liveness.ts";
import { AnswerCache } from "./answer-cache.ts";
import { errorResponse } from "./http.ts";
import type { SocketData } from "./log-socket.ts";
import { HEALTH, matchRoute } from "./routes.ts";
import { authenticate, checkHostAndOrigin, checkIntent, type Guard, tokenCookie } from "./security.ts";
import { SignInCodes } from "./sign-in.ts";
import { EVENTS, Sockets } from "./sockets.ts";
import { asset, CODE_SPENT, htmlPage, indexHtml, NEED_TOKEN, NOT_BUILT, uiBuilt } from "./static-ui.ts";

/**
 * `pidStart`: with the pid, tells this server from a process that got its pid later; `stateDir`:
 * the folder it keeps (the CLI's quick status trusts a live server's database, in that folder only).
 */
export type ServerInfo = { pid: number; pidStart: string | null; stateDir: string; port: number; url: string; token: string };

/**
 * The install's token: kept in `.run/server.json` across restarts, made once. Reused only from a
 * file this user wrote (a regular file of ours, 0600): a `server.json` that came with the
 * repository (a clone checks files out 0644) would hand its author the token.
 */
function loadToken(stateDir: string): string {
  const file = join(stateDir, "server.json");
  try {
    const stat = lstatSync(file);
    const ours = stat.isFile() && (stat.mode & 0o077) === 0 && (!process.getuid || stat.uid === process.getuid());
    const token = ours ? JSON.parse(readFileSync(file, "utf8")).token : null;
    if (typeof token === "string" && /^[0-9a-f]{64}$/.test(token)) return token;
  } catch {
    // Missing or damaged: a new token.
  }
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
}

function writeServerJson(stateDir: string, info: ServerInfo): void {
  writePrivateFile(join(stateDir, "server.json"), `${JSON.stringify(info, null, 2)}\n`);
}

/** CORS for the desktop window's origin only; no other origin is ever granted. */
function corsHeaders(origin: string): Record<string, string> {
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": "GET, POST",
    "access-control-allow-headers": "authorization, content-type, x-dispatch-client",
    "access-control-max-age": "600",
    vary: "Origin",
  };
}

/** Serves the loopback API and the UI on 127.0.0.1 only. */
export function startServer(
  engine: Engine,
  options: { port: number; extraOrigins?: string[] },
): { server: Server<SocketData>; info: ServerInfo; stop: () => void; signIn: (used?: () => void) => string } {
  const token = loadToken(engine.config.stateDir);
  const guard: Guard = { port: 0, token, extraOrigins: options.extraOrigins ?? [] };
  const sockets = new Sockets(engine);
  const cache = new AnswerCache(engine.bus);
  const codes = new SignInCodes();

  async function handle(req: Request, srv: Server<SocketData>): Promise<Response | undefined> {
    try {
      // Before the URL is parsed: a malformed Host makes it invalid.
      checkHostAndOrigin(req, guard);
      const url = new URL(req.url);
      if (req.method === "OPTIONS") return preflight(req);
      if (req.method === "GET") {
        if (url.pathname === "/health") return HEALTH(srv.subscriberCount(EVENTS));
        if (url.pathname === "/") return landing(req, url);
        // The runtime serves this to its own pages; in a browser it is empty.
        if (url.pathname === "/__neutralino_globals.js") return new Response("", { headers: { "content-type": "text/javascript" } });
        const file = asset(url.pathname);
        if (file) return file;
      }
      const wantsSocket = req.headers.get("upgrade")?.toLowerCase() === "websocket";
      const auth = authenticate(req, url, guard, { allowQuery: wantsSocket });
      if (wantsSocket) return sockets.upgrade(req, url, srv);
      const match = matchRoute(req.method, url.pathname);
      if (!match) throw new DispatchError("not_found", `no route ${req.method} ${url.pathname}`);
      if (match.route.changes) checkIntent(req, auth);
      return await match.route.handler({ engine, cache, req, url, auth, mode: match.mode, id: match.id });
    } catch (error) {
      return errorResponse(error, req);
    }
  }

  function preflight(req: Request): Response {
    const origin = req.headers.get("origin");
    if (!origin || !guard.extraOrigins.includes(origin)) throw new DispatchError("forbidden", "no cross-origin access");
    return new Response(null, { status: 204 });
  }

  function landing(req: Request, url: URL): Response {
    const code = url.searchParams.get("code");
    if (code !== null) {
      if (!codes.redeem(code)) return htmlPage(CODE_SPENT, 401);
      return new Response(null, { status: 302, headers: { location: "/", "set-cookie": tokenCookie(guard.port, token) } });
    }
    const given = url.searchParams.get("token");
    if (given !== null) {
      authenticate(new Request(req.url, { headers: { authorization: `Bearer ${given}` } }), url, guard, { allowQuery: false });
      // The token moves into an HttpOnly cookie and out of the address bar and history.
      return new Response(null, { status: 302, headers: { location: "/", "set-cookie": tokenCookie(guard.port, token) } });
    }
    try {
      authenticate(req, url, guard, { allowQuery: false });
    } catch {
      return htmlPage(NEED_TOKEN, 401);
    }
    return uiBuilt() ? indexHtml() : htmlPage(NOT_BUILT, 200);
  }

  const server = Bun.serve<SocketData>({
    hostname: "127.0.0.1",
    port: options.port,
    // Bun's development error page shows source code: never served, whatever NODE_ENV says.
    development: false,
    // The last line of defence: whatever escaped is still one JSON answer and one log line.
    error: (error) => errorResponse(error),
    // Our own limit (1 MiB, JSON error) is enforced while reading; this only caps the worst case.
    maxRequestBodySize: 8 * 1024 * 1024,
    async fetch(req, srv) {
      const response = await handle(req, srv);
      // The desktop window's page (the runtime's own origin) may read our answers.
      const origin = req.headers.get("origin");
      if (response && origin && guard.extraOrigins.includes(origin)) {
        for (const [k, v] of Object.entries(corsHeaders(origin))) response.headers.set(k, v);
      }
      return response;
    },
    websocket: sockets.handler,
  });
  guard.port = server.port ?? options.port;
  sockets.attach(server);

  const info: ServerInfo = {
    pid: process.pid,
    pidStart: startTime(process.pid),
    stateDir: engine.config.stateDir,
    port: guard.port,
    url: `http://127.0.0.1:${guard.port}`,
    token,
  };
  writeServerJson(engine.config.stateDir, info);
  return {
    server,
    info,
    signIn: (used) => `${info.url}/?code=${codes.issue(used)}`,
    stop: () => {
      sockets.detach();
      server.stop(true);
    },
  };
}
