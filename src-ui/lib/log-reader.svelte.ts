import type { Api } from "./api.svelte.ts";

export type ReaderState = "connecting" | "live" | "ended" | "error";

/**
 * Reads one run's log over WS /logs: binary frames in order; `offset` counts the bytes received,
 * so a dropped connection resumes with `?from=` and loses nothing. Ends when the server closes
 * normally (the run has ended and all was sent).
 */
export class LogReader {
  state = $state<ReaderState>("connecting");
  bytes = $state(0);
  error = $state<string | null>(null);
  private ws: WebSocket | null = null;
  private stopped = false;
  private retries = 0;

  constructor(
    private readonly api: Api,
    private readonly mode: string,
    private readonly id: string,
    private readonly onBytes: (chunk: Uint8Array) => void,
  ) {}

  start(): void {
    const ws = new WebSocket(this.api.socketUrl(`/logs/${this.mode}/${this.id}`, { from: String(this.bytes) }));
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      this.state = "live";
      this.retries = 0;
    };
    ws.onmessage = (event) => {
      const chunk = new Uint8Array(event.data as ArrayBuffer);
      this.bytes += chunk.byteLength;
      this.onBytes(chunk);
    };
    ws.onclose = (event) => {
      if (this.stopped || this.ws !== ws) return;
      if (event.code === 1000) {
        this.state = "ended";
        return;
      }
      if (this.retries++ < 20) {
        this.state = "connecting";
        setTimeout(() => this.start(), Math.min(250 * this.retries, 3000));
      } else {
        this.state = "error";
        this.error = "The log connection keeps dropping.";
      }
    };
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }
}
