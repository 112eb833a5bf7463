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
