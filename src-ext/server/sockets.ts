import { existsSync } from "node:fs";
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Engine } from "../engine.ts";
import { DispatchError } from "../errors.ts";
import type { ServerEvent } from "../protocol/events.ts";
import type { LogFollower } from "../runs/log-follower.ts";
import { VERSION } from "../version.ts";
import { followOverSocket, type SocketData } from "./log-socket.ts";
import { matchRoute } from "./routes.ts";

export const EVENTS = "events";

/**
 * The WebSocket side of the server: `/events` (Bun pub/sub, one topic) and `/logs/{mode}/{id}`
 * (one log follower per socket, ended when its run ends).
 */
export class Sockets {
  private followers = new Map<string, Set<LogFollower>>();
  private offs: Array<() => void> = [];
  private server: Server<SocketData> | null = null;

  constructor(private readonly engine: Engine) {}

  /** Turns engine events into /events messages; ends log streams of runs that ended. */
  attach(server: Server<SocketData>): void {
    this.server = server;
    this.offs.push(
      this.engine.bus.onAny((event) => this.publish(event)),
      this.engine.bus.on("run.ended", ({ run }) => {
        for (const follower of this.followers.get(run.runId) ?? []) follower.end();
      }),
    );
  }

  detach(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  private publish(event: ServerEvent): void {
    this.server?.publish(EVENTS, JSON.stringify(event));
  }

  /** Upgrades an authenticated request; the stream starts on `open`, once the socket exists. */
  upgrade(req: Request, url: URL, srv: Server<SocketData>): undefined {
    let data: SocketData;
    if (url.pathname === "/events") {
      data = { kind: "events" };
    } else {
      const match = matchRoute("GET", url.pathname);
      if (match?.route.prefix !== "logs") throw new DispatchError("not_found", `no WebSocket at ${url.pathname}`);
      const run = this.engine.logRun(match.mode, match.id, url.searchParams.get("run") ?? undefined);
      if (!existsSync(run.logPath))
        throw new DispatchError("not_found", `the run ${run.runId} has no log: ${run.reason ?? "it did not start"}`);
      const from = Number(url.searchParams.get("from") ?? "0");
      if (!Number.isInteger(from) || from < 0) throw new DispatchError("invalid_request", "from must be a byte offset");
      data = { kind: "logs", runId: run.runId, path: run.logPath, from, interactive: !run.headless };
    }
    if (!srv.upgrade(req, { data })) throw new DispatchError("invalid_request", "WebSocket upgrade failed");
    return undefined;
  }

  readonly handler: WebSocketHandler<SocketData> = {
    open: (ws) => this.open(ws),
    drain: (ws) => {
      if (ws.data.kind === "logs") ws.data.follower?.pump();
    },
    close: (ws) => this.close(ws),
    message: () => {
      // Clients only listen.
    },
  };

  private open(ws: ServerWebSocket<SocketData>): void {
    if (ws.data.kind === "events") {
      ws.subscribe(EVENTS);
      ws.send(JSON.stringify({ type: "hello", version: VERSION } satisfies ServerEvent));
      // A board that opens sees each task's work as it is now, edits made by hand included.
      void this.engine.work.refreshAll(this.engine.tasks.all().map((t) => t.id));
      return;
    }
    const follower = followOverSocket(ws);
    if (!follower) return;
    ws.data.follower = follower;
    const { runId } = ws.data;
    const set = this.followers.get(runId) ?? new Set<LogFollower>();
    this.followers.set(runId, set);
    set.add(follower);
    const run = this.engine.run(runId);
    if (run?.state !== "running") follower.end();
    follower.pump();
  }

  private close(ws: ServerWebSocket<SocketData>): void {
    if (ws.data.kind !== "logs" || !ws.data.follower) return;
    ws.data.follower.dispose();
    const set = this.followers.get(ws.data.runId);
    set?.delete(ws.data.follower);
    if (set?.size === 0) this.followers.delete(ws.data.runId);
  }
}
