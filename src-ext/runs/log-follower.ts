import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { type SettledWatcher, watchSettled } from "../fs/watch-settled.ts";
import { afterCut, cutsSize, readCuts } from "./log-cap.ts";

/** One read and one WebSocket frame: large enough that a 10 MB log is 40 frames, small enough to keep memory flat. */
const CHUNK = 256 * 1024;
/** A look at the file once a second in case a change notification went missing (see the constructor). */
const SAFETY_PUMP_MS = 1000;
/**
 * pipe-pane's `cat` may still be writing the last bytes of a pane that just died: it reads the
 * pane's pty after the agent's exit is recorded. A margin, not a measurement; the safety pump
 * still delivers anything later, until the follower is done.
 */
export const INTERACTIVE_FLUSH_MS = 250;

/** Where the bytes go: `pause` until `pump()` is called again, `closed` to give up. */
export type LogSink = (chunk: Uint8Array) => "ok" | "pause" | "closed";

/**
 * Follows one run's log: from a byte offset, in order, then live as the file grows (a file watch,
 * not a timer), and reports `done` once the run has ended and every byte was handed over.
 * Used by WS /logs and by `dispatch logs --follow` and headless dispatch in the CLI.
 */
export class LogFollower {
  private fd: number;
  private offset: number;
  private ended = false;
  private watcher: SettledWatcher;
  private closed = false;
  private pumping = false;
  private safety: ReturnType<typeof setInterval>;
  /** How many cuts of the log (log-cap.ts) were applied to our place in it, and the cuts file's size then. */
  private cutsSeen: number;
  private cutsBytes: number;

  constructor(
    private readonly path: string,
    from: number,
    private readonly sink: LogSink,
    private readonly done: (reason: "ended" | "failed") => void,
    private readonly flushMs = 0,
  ) {
    this.fd = openSync(path, "r");
    this.offset = Math.max(0, from);
    this.cutsSeen = readCuts(path).length;
    this.cutsBytes = cutsSize(path);
    this.watcher = watchSettled(path, {}, () => this.pump());
    // A safety net, not the mechanism: should a change notification ever go missing (inotify
    // under load), the reader still gets the bytes within a second instead of at the next write.
    this.safety = setInterval(() => this.pump(), SAFETY_PUMP_MS);
    // The log deleted under us: finish with what was sent rather than crash.
    this.watcher.on("error", () => this.finish("failed"));
  }

  /** The run is over: hand over what is left, then report done. */
  end(): void {
    if (this.ended) return;
    setTimeout(() => {
      this.ended = true;
      this.pump();
    }, this.flushMs);
  }

  pump(): void {
    if (this.closed || this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        // A cut is recorded before the log is written again: one stat tells whether one came.
        if (cutsSize(this.path) !== this.cutsBytes) this.followCuts();
        const size = fstatSync(this.fd).size;
        if (this.offset >= size) {
          if (this.ended) this.finish("ended");
          return;
        }
        // A fresh buffer per chunk: a chunk queued under backpressure must not be overwritten.
        const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - this.offset));
        const n = readSync(this.fd, buffer, 0, buffer.length, this.offset);
        if (n <= 0) return;
        const status = this.sink(buffer.subarray(0, n));
        if (status === "closed") {
          this.finish("failed");
          return;
        }
        this.offset += n;
        if (status === "pause") return;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The log was cut while we read it: find our place in it again (the marker, or the same byte of the tail). */
  private followCuts(): void {
    const cuts = readCuts(this.path);
    for (const cut of cuts.slice(this.cutsSeen)) this.offset = afterCut(this.offset, cut);
    this.cutsSeen = cuts.length;
    this.cutsBytes = cutsSize(this.path);
  }

  /** Stops following without reporting (the reader went away). */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.safety);
    this.watcher.close();
    closeSync(this.fd);
  }

  private finish(reason: "ended" | "failed"): void {
    this.dispose();
    this.done(reason);
  }
}
