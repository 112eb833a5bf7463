/**
 * The baselines' server, run as a child process like Dispatch's: a bare Bun.serve that answers
 * each path with bytes given up front (what Dispatch answered for it, with the same headers), and
 * streams a file over a bare WebSocket at `/file?path=…` the way a minimal server would (256 KiB
 * frames, paused on backpressure, 1000 at the end). Prints its port.
 *
 *   bun bench/bare-server.ts [bodies.json]   ({ "/path": "body", … })
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import type { ServerWebSocket } from "bun";

type Stream = { path: string; fd: number; offset: number };

const CHUNK = 256 * 1024;
const bodies: Record<string, string> = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], "utf8")) : {};
const answers = new Map(
  Object.entries(bodies).map(([path, body]) => [path, { bytes: new TextEncoder().encode(body), etag: `"${Bun.hash(body).toString(36)}"` }]),
);

function pump(ws: ServerWebSocket<Stream>): void {
  const s = ws.data;
  const size = fstatSync(s.fd).size;
  while (s.offset < size) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - s.offset));
    const n = readSync(s.fd, buffer, 0, buffer.length, s.offset);
    s.offset += n;
    if (ws.send(buffer.subarray(0, n)) === -1) return;
  }
  ws.close(1000, "done");
}

const server = Bun.serve<Stream>({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req, srv) {
    const url = new URL(req.url);
    if (url.pathname === "/file") {
      const path = url.searchParams.get("path") ?? "";
      if (srv.upgrade(req, { data: { path, fd: openSync(path, "r"), offset: 0 } })) return undefined;
      return new Response("upgrade failed", { status: 400 });
    }
    const answer = answers.get(url.pathname);
    if (!answer) return new Response("not found", { status: 404 });
    return new Response(answer.bytes, {
      headers: { etag: answer.etag, "cache-control": "no-cache", "content-type": "application/json; charset=utf-8" },
    });
  },
  websocket: {
    open: pump,
    drain: pump,
    close: (ws) => closeSync(ws.data.fd),
    message: () => {},
  },
});
console.log(server.port);
