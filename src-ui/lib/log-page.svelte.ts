import type { RunInfo } from "../../src-ext/protocol/api.ts";
import type { AppState } from "./app.svelte.ts";
import { LogBuffer } from "./log-buffer.svelte.ts";
import { LogReader } from "./log-reader.svelte.ts";

const READER_STATE = { connecting: "connecting…", live: "following", ended: "complete", error: "disconnected" } as const;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  return bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

/**
 * One log page: reads one run's log over WS /logs and hands the bytes to the view that fits the
 * run (a terminal for interactive runs, lines and stream-json items for headless ones). The view
 * only renders; this class owns the socket and the buffers.
 */
export class LogPage {
  readonly buffer = new LogBuffer();
  readonly reader: LogReader;
  /** Raw text instead of the readable stream-json view. */
  raw = $state(false);
  private write: ((chunk: Uint8Array) => void) | null = null;
  private pending: Uint8Array[] = [];

  constructor(
    private readonly app: AppState,
    readonly mode: string,
    readonly id: string,
    /** A run from the history; without it, the newest run of the mode. */
    readonly runId?: string,
  ) {
    this.reader = new LogReader(
      app.api,
      mode,
      id,
      (chunk) => this.received(chunk),
      () => this.buffer.finish(),
    );
    if (runId) this.reader.pin(runId);
  }

  run: RunInfo | undefined = $derived.by(() => {
    const page = this.app.page;
    if (page?.id !== this.id) return undefined;
    return this.runId ? page.runs.find((r) => r.runId === this.runId) : page.latest(this.mode);
  });

  interactive: boolean = $derived.by(() =>
    this.run ? !this.run.headless : (this.app.board.modes.find((m) => m.name === this.mode)?.interactive ?? false),
  );

  meta: string = $derived.by(() => `${READER_STATE[this.reader.state]} · ${size(this.reader.bytes)}`);

  start(): void {
    this.reader.start();
  }

  stop(): void {
    this.reader.stop();
  }

  /** The terminal view exists: it gets what arrived before it, then every chunk as it comes. */
  attachTerminal(write: (chunk: Uint8Array) => void): void {
    this.write = write;
    for (const chunk of this.pending.splice(0)) write(chunk);
  }

  private received(chunk: Uint8Array): void {
    this.buffer.append(chunk);
    if (this.write) this.write(chunk);
    else this.pending.push(chunk);
    // The reader started on the newest run; once we know which one it is, it stays on it.
    if (this.run) this.reader.pin(this.run.runId);
  }
}
