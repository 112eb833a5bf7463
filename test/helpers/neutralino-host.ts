import type { Server, ServerWebSocket } from "bun";

export type Call = { id: string; method: string; accessToken: string; data: Record<string, unknown> };

/**
 * A test double of the Neutralino runtime's side of the extension protocol (DESIGN §10): it
 * accepts `ws://127.0.0.1:PORT?extensionId=…&connectToken=…`, records `{id, method,
 * accessToken, data}` calls and answers each with `{id, method, data}` (`app.exit` gets no
 * answer and ends the app: the socket closes), and sends `{event, data}` events.
 */
export class NeutralinoHost {
  readonly calls: Call[] = [];
  readonly token = crypto.randomUUID();
  readonly connectToken = crypto.randomUUID();
  readonly extensionId = "js.dispatch.engine";
  private socket: ServerWebSocket<unknown> | null = null;
  private server: Server<unknown>;
  refusedConnections = 0;

  constructor() {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req, srv) => {
        const url = new URL(req.url);
        const host = req.headers.get("host") ?? "";
        if (
          url.searchParams.get("extensionId") !== this.extensionId ||
          url.searchParams.get("connectToken") !== this.connectToken ||
          !/^(127\.0\.0\.1|localhost):/.test(host)
        ) {
          this.refusedConnections++;
          return new Response("refused", { status: 403 });
        }
        return srv.upgrade(req, { data: {} }) ? undefined : new Response("no upgrade", { status: 400 });
      },
      websocket: {
        open: (ws) => {
          this.socket = ws;
        },
        message: (ws, message) => {
          const call = JSON.parse(String(message)) as Call;
          this.calls.push(call);
          if (call.method === "app.exit") {
            ws.close(1000, "exit");
            return;
          }
          const data = call.accessToken === this.token ? { success: true } : { error: { code: "NE_RT_INVTOKN", message: "invalid token" } };
          ws.send(JSON.stringify({ id: call.id, method: call.method, data }));
        },
        close: () => {
          this.socket = null;
        },
      },
    });
  }

  /** What Neutralino writes to the extension's stdin: nlPort as a string, no trailing newline. */
  startupJson(): string {
    return JSON.stringify({
      nlPort: String(this.server.port),
      nlToken: this.token,
      nlConnectToken: this.connectToken,
      nlExtensionId: this.extensionId,
    });
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  emit(event: string, data: unknown): void {
    this.socket?.send(JSON.stringify({ event, data }));
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The app quits: the extension's socket drops. */
  disconnect(): void {
    this.socket?.close(1001, "gone");
  }

  stop(): void {
    this.server.stop(true);
  }
}
