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
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Once known, the run being read: a resume must not continue in a newer run's log. */
  private runId: string | null = null;

  constructor(
    private readonly api: Api,
    private readonly mode: string,
    private readonly id: string,
    private readonly onBytes: (chunk: Uint8Array) => void,
    /** The run ended and every byte arrived. */
    private readonly onEnded: () => void = () => {},
  ) {}

  pin(runId: string): void {
    this.runId ??= runId;
  }

  start(): void {
    const params: Record<string, string> = { from: String(this.bytes) };
    if (this.runId) params.run = this.runId;
    const ws = new WebSocket(this.api.socketUrl(`/logs/${this.mode}/${this.id}`, params));
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
        this.onEnded();
        return;
      }
      if (this.retries++ < 20) {
        this.state = "connecting";
        this.retryTimer = setTimeout(() => this.start(), Math.min(250 * this.retries, 3000));
      } else {
        this.state = "error";
        this.error = "The log connection keeps dropping.";
      }
    };
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.ws?.close();
  }
}
