import { type LogItem, looksLikeStreamJson, parseLine } from "./stream-json.ts";

/**
 * A headless run's log as lines (and, for stream-json, readable items), built incrementally as
 * bytes arrive. Plain arrays, not reactive state: a 20 MB log is hundreds of thousands of lines;
 * `version` moves at most once per animation frame to tell the views to redraw.
 */
export class LogBuffer {
  version = $state(0);
  streamJson = $state<boolean | null>(null);
  readonly lines: string[] = [];
  readonly items: LogItem[] = [];
  private partial = "";
  private decoder = new TextDecoder("utf-8");
  private frame = 0;

  append(chunk: Uint8Array): void {
    const text = this.partial + this.decoder.decode(chunk, { stream: true });
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.addLine(line.endsWith("\r") ? line.slice(0, -1) : line);
    this.schedule();
  }

  /** The run ended: the last line may have no newline. */
  finish(): void {
    const rest = this.partial + this.decoder.decode();
    this.partial = "";
    if (rest) this.addLine(rest);
    this.schedule();
  }

  get lineCount(): number {
    return this.lines.length + (this.partial ? 1 : 0);
  }

  line(i: number): string {
    return i < this.lines.length ? (this.lines[i] ?? "") : this.partial;
  }

  private addLine(line: string): void {
    if (this.streamJson === null && line.trim()) this.streamJson = looksLikeStreamJson(line);
    this.lines.push(line);
    if (this.streamJson) for (const item of parseLine(line)) this.items.push(item);
  }

  private schedule(): void {
    if (this.frame) return;
    const bump = () => {
      this.frame = 0;
      this.version++;
    };
    this.frame = typeof requestAnimationFrame === "function" ? requestAnimationFrame(bump) : (setTimeout(bump, 16) as unknown as number);
  }
}

/** Colour and cursor escapes, for the plain-text view of a headless log. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escapes is the point
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
