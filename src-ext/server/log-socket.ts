import type { ServerWebSocket } from "bun";
import { INTERACTIVE_FLUSH_MS, LogFollower } from "../runs/log-follower.ts";

export type SocketData =
  | { kind: "logs"; runId: string; path: string; from: number; interactive: boolean; follower?: LogFollower }
  | { kind: "events" };

/**
 * WS /logs: binary frames (a chunk may end inside a UTF-8 character, and bytes are what `?from=`
 * counts); Bun's backpressure pauses the follower until `drain`; 1000 once all was sent.
 */
export function followOverSocket(ws: ServerWebSocket<SocketData>): LogFollower | null {
  if (ws.data.kind !== "logs") return null;
  const { path, from, interactive } = ws.data;
  return new LogFollower(
    path,
    from,
    (chunk) => {
      const status = ws.send(chunk);
      return status === 0 ? "closed" : status === -1 ? "pause" : "ok";
    },
    (reason) => (reason === "ended" ? ws.close(1000, "run ended") : ws.close(1011, "send failed")),
    interactive ? INTERACTIVE_FLUSH_MS : 0,
  );
}
