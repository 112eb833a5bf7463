import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "bun";
import type { Engine } from "../engine.ts";
import { DispatchError } from "../errors.ts";
import type { ServerEvent } from "../protocol/events.ts";
import { VERSION } from "../engine.ts";
import { errorResponse, json } from "./http.ts";
import type { LogFollower } from "../runs/log-follower.ts";
import { followOverSocket, type SocketData } from "./log-socket.ts";
import { HEALTH, matchRoute } from "./routes.ts";
import { asset, indexHtml, PAGE_HEADERS, uiBuilt } from "./static-ui.ts";
import { authenticate, checkHostAndOrigin, type Guard, tokenCookie } from "./security.ts";

const EVENTS = "events";

export type ServerInfo = { pid: number; port: number; url: string; token: string };

/** The install's token: kept in `.run/server.json` across restarts, made once. */
function loadToken(stateDir: string): string {
  const file = join(stateDir, "server.json");
  if (existsSync(file)) {
    try {
      const token = JSON.parse(readFileSync(file, "utf8")).token;
      if (typeof token === "string" && /^[0-9a-f]{64}$/.test(token)) return token;
    } catch {
      // A damaged file gets a new token.
    }
  }
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
}

function writeServerJson(stateDir: string, info: ServerInfo): void {
  const file = join(stateDir, "server.json");
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Dispatch</title>
<body style="font:15px system-ui;max-width:40em;margin:4em auto;line-height:1.5">
<h1>Dispatch</h1><p>The API is running, but the UI is not built: run <code>npm run build:ui</code>
(<code>npm install</code> does it too) and reload.</p></body>`;

const NEED_TOKEN = `<!doctype html><meta charset="utf-8"><title>Dispatch: sign in</title>
<body style="font:15px system-ui;max-width:40em;margin:4em auto;line-height:1.5">
<h1>Dispatch needs its token</h1><p>Open the address that <code>dispatch serve</code> printed
(it ends in <code>?token=…</code>), or run <code>dispatch serve --open</code>. The token is also in
<code>.run/server.json</code> in your repository.</p></body>`;

/** Serves the loopback API on 127.0.0.1 only. */
export function startServer(engine: Engine, options: { port: number; extraOrigins?: string[] }): { server: Server<SocketData>; info: ServerInfo; stop: () => void } {
  const token = loadToken(engine.config.stateDir);
  const guard: Guard = { port: 0, token, extraOrigins: options.extraOrigins ?? [] };
  const streams = new Map<string, Set<LogFollower>>();

  const server = Bun.serve<SocketData>({
    hostname: "127.0.0.1",
    port: options.port,
    // Our own limit (1 MiB, JSON error) is enforced while reading; this only caps the worst case.
    maxRequestBodySize: 8 * 1024 * 1024,
    async fetch(req, srv) {
      const url = new URL(req.url);
      try {
        checkHostAndOrigin(req, guard);
        if (url.pathname === "/health" && req.method === "GET") return HEALTH();
        if (url.pathname === "/" && req.method === "GET") return landing(req, url);
        if (req.method === "GET") {
          const file = asset(url.pathname);
          if (file) return file;
        }
        const wantsSocket = req.headers.get("upgrade")?.toLowerCase() === "websocket";
        const auth = authenticate(req, url, guard, { allowQuery: wantsSocket });
        if (wantsSocket) return upgrade(req, url, srv);
        const match = matchRoute(req.method, url.pathname);
        if (!match) throw new DispatchError("not_found", `no route ${req.method} ${url.pathname}`);
        return await match.route.handler({ engine, req, url, auth, mode: match.mode, id: match.id });
      } catch (error) {
        return errorResponse(error);
      }
    },
    websocket: {
      open(ws) {
        if (ws.data.kind === "events") {
          ws.subscribe(EVENTS);
          ws.send(JSON.stringify({ type: "hello", version: VERSION } satisfies ServerEvent));
          return;
        }
        const { runId } = ws.data;
        const stream = followOverSocket(ws);
        if (!stream) return;
        ws.data.follower = stream;
        let set = streams.get(runId);
        if (!set) streams.set(runId, (set = new Set()));
        set.add(stream);
        const row = engine.run(runId);
        if (!row || (row.state !== "running" && row.state !== "starting")) stream.end();
        stream.pump();
      },
      drain(ws) {
        if (ws.data.kind === "logs") ws.data.follower?.pump();
      },
      close(ws) {
        if (ws.data.kind !== "logs" || !ws.data.follower) return;
        ws.data.follower.dispose();
        const set = streams.get(ws.data.runId);
        set?.delete(ws.data.follower);
        if (set?.size === 0) streams.delete(ws.data.runId);
      },
      message() {
        // Clients only listen.
      },
    },
  });
  guard.port = server.port ?? options.port;

  function landing(req: Request, url: URL): Response {
    const given = url.searchParams.get("token");
    if (given !== null) {
      authenticate(new Request(req.url, { headers: { authorization: `Bearer ${given}` } }), url, guard, { allowQuery: false });
      // The token moves into an HttpOnly cookie and out of the address bar and history.
      return new Response(null, { status: 302, headers: { location: "/", "set-cookie": tokenCookie(guard.port, token) } });
    }
    try {
      authenticate(req, url, guard, { allowQuery: false });
    } catch {
      return new Response(NEED_TOKEN, { status: 401, headers: { "content-type": "text/html; charset=utf-8", ...PAGE_HEADERS } });
    }
    if (!uiBuilt()) return new Response(NOT_BUILT, { headers: { "content-type": "text/html; charset=utf-8", ...PAGE_HEADERS } });
    return indexHtml();
  }

  function upgrade(req: Request, url: URL, srv: Server<SocketData>): Response | undefined {
    if (url.pathname === "/events") {
      if (srv.upgrade(req, { data: { kind: "events" } })) return undefined;
      throw new DispatchError("invalid_request", "WebSocket upgrade failed");
    }
    const match = matchRoute("GET", url.pathname);
    if (!match || match.route.prefix !== "logs") throw new DispatchError("not_found", `no WebSocket at ${url.pathname}`);
    const run = engine.logRun(match.mode, match.id);
    if (!existsSync(run.logPath)) throw new DispatchError("not_found", `the run ${run.runId} has no log: ${run.reason ?? "it did not start"}`);
    const from = Number(url.searchParams.get("from") ?? "0");
    if (!Number.isInteger(from) || from < 0) throw new DispatchError("invalid_request", "from must be a byte offset");
    const data: SocketData = { kind: "logs", runId: run.runId, path: run.logPath, from, interactive: !run.headless };
    // The stream starts on `open`, once the socket exists.
    if (!srv.upgrade(req, { data })) throw new DispatchError("invalid_request", "WebSocket upgrade failed");
    return undefined;
  }

  const off = [
    engine.bus.on("run.changed", (run) => {
      server.publish(EVENTS, JSON.stringify({ type: "run", run } satisfies ServerEvent));
      if (run.state !== "running") for (const stream of streams.get(run.runId) ?? []) stream.end();
    }),
    engine.bus.on("tasks.changed", () => server.publish(EVENTS, JSON.stringify({ type: "tasks" } satisfies ServerEvent))),
  ];

  const info: ServerInfo = { pid: process.pid, port: guard.port, url: `http://127.0.0.1:${guard.port}`, token };
  writeServerJson(engine.config.stateDir, info);
  return {
    server,
    info,
    stop: () => {
      for (const f of off) f();
      server.stop(true);
    },
  };
}
