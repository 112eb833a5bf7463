import type { StartupInfo } from "./protocol.ts";

type Pending = { resolve: (data: unknown) => void; reject: (error: Error) => void };
export type EventHandler = (data: unknown) => void;

/**
 * The only file that talks to the Neutralino runtime: one WebSocket to its server. Calls are
 * `{id, method, accessToken, data}`, answered on the same socket by `{id, method, data}`;
 * events arrive as `{event, data}`. When the socket closes, the app has quit.
 */
export class NeutralinoBridge {
  private ws: WebSocket | null = null;
  private pending = new Map<string, Pending>();
  private handlers = new Map<string, Set<EventHandler>>();
  private closedHandlers: Array<() => void> = [];

  constructor(private readonly info: StartupInfo) {}

  /** Connects as `127.0.0.1` (the runtime checks the Host; `::1` is refused). */
  connect(): Promise<void> {
    const url = `ws://127.0.0.1:${this.info.nlPort}?extensionId=${encodeURIComponent(this.info.nlExtensionId)}&connectToken=${encodeURIComponent(this.info.nlConnectToken)}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      this.ws = ws;
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot connect to Neutralino at port ${this.info.nlPort}`));
      ws.onmessage = (event) => this.receive(String(event.data));
      ws.onclose = () => {
        for (const p of this.pending.values()) p.reject(new Error("Neutralino closed the connection"));
        this.pending.clear();
        for (const handler of this.closedHandlers) handler();
      };
    });
  }

  onClose(handler: () => void): void {
    this.closedHandlers.push(handler);
  }

  on(event: string, handler: EventHandler): () => void {
    const set = this.handlers.get(event) ?? new Set<EventHandler>();
    this.handlers.set(event, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Calls a native method; rejects with the runtime's error (`data.error`). */
  call<T = unknown>(method: string, data: unknown = {}): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error("not connected to Neutralino"));
    const id = crypto.randomUUID();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (data: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, accessToken: this.info.nlToken, data }));
    });
  }

  /** Fire and forget, for methods that never answer (`app.exit`). */
  send(method: string, data: unknown = {}): void {
    this.ws?.send(JSON.stringify({ id: crypto.randomUUID(), method, accessToken: this.info.nlToken, data }));
  }

  /** Sends an event to every window (events are not queued: a window not yet there misses it). */
  broadcastToWindows(event: string, data: unknown): Promise<unknown> {
    return this.call("app.broadcast", { event, data });
  }

  close(): void {
    this.ws?.close();
  }

  private receive(text: string): void {
    let message: { id?: string; method?: string; event?: string; data?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.id && this.pending.has(message.id)) {
      const pending = this.pending.get(message.id) as Pending;
      this.pending.delete(message.id);
      const error = (message.data as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (error) pending.reject(new Error(`${message.method}: ${error.code ?? "error"} ${error.message ?? ""}`.trim()));
      else pending.resolve(message.data);
      return;
    }
    if (message.event) for (const handler of this.handlers.get(message.event) ?? []) handler(message.data);
  }
}
