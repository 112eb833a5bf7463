/** Collects a WebSocket's binary frames until it closes. */
export function collectSocket(
  url: string,
  options: { headers?: Record<string, string> } = {},
): Promise<{ bytes: Buffer; code: number; reason: string; frames: number }> {
  return new Promise((resolve, reject) => {
    // Bun's WebSocket takes headers (an extension of the browser API).
    const ws = new WebSocket(url, { headers: options.headers } as never);
    ws.binaryType = "arraybuffer";
    const chunks: Buffer[] = [];
    ws.onmessage = (event) => {
      chunks.push(typeof event.data === "string" ? Buffer.from(event.data) : Buffer.from(event.data as ArrayBuffer));
    };
    ws.onerror = () => reject(new Error(`WebSocket error on ${url}`));
    ws.onclose = (event) => resolve({ bytes: Buffer.concat(chunks), code: event.code, reason: event.reason, frames: chunks.length });
  });
}

export type EventLog = {
  messages: Array<Record<string, unknown> & { type: string }>;
  /** Resolves with the first message (already received or still to come) that `match` accepts. */
  next(
    what: string,
    match: (m: Record<string, unknown> & { type: string }) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): void;
};

/** Follows WS /events from its `hello` on: every message kept, in order. */
export async function followEvents(url: string): Promise<EventLog> {
  const ws = new WebSocket(url);
  const messages: EventLog["messages"] = [];
  const waiters = new Set<() => void>();
  ws.onmessage = (event) => {
    messages.push(JSON.parse(String(event.data)));
    for (const wake of waiters) wake();
  };
  await new Promise<void>((resolve, reject) => {
    ws.onerror = () => reject(new Error(`socket error on ${url}`));
    const wake = () => {
      if (messages.some((m) => m.type === "hello")) {
        waiters.delete(wake);
        resolve();
      }
    };
    waiters.add(wake);
  });
  return {
    messages,
    next: (what, match, timeoutMs = 15000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages.map((m) => m.type))}`));
        }, timeoutMs);
        const wake = () => {
          const found = messages.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(found);
        };
        waiters.add(wake);
        wake();
      }),
    close: () => ws.close(),
  };
}
