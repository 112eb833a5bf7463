import type { RunInfo } from "../../src-ext/protocol/api.ts";
import type { EventOf, ServerEvent } from "../../src-ext/protocol/events.ts";
import type { Api } from "./api.svelte.ts";

export type LinkState = "connecting" | "open" | "down";

/** A restarted server answers within a few hundred ms here (test/restart.test.ts): the first retries find it; then backoff doubles up to 5 s. */
const MIN_RETRY_MS = 300;
const MAX_RETRY_MS = 5000;

/**
 * The one connection to /events. Reconnects by itself (with backoff) after the server goes away,
 * says so while it is down, and asks listeners to resync when it is back.
 */
export class Live {
  state = $state<LinkState>("connecting");
  /** When the link went down, for "reconnecting for 12 s". */
  downSince = $state<number | null>(null);
  private ws: WebSocket | null = null;
  private retryMs = MIN_RETRY_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private everOpen = false;

  constructor(
    private readonly api: Api,
    private readonly handlers: {
      /** Any change of a run: started, changed or ended. */
      run(run: RunInfo): void;
      ended(event: EventOf<"run.ended">): void;
      /** What a running agent does changed (it may need the user now). */
      activity(event: EventOf<"run.activity">): void;
      terminal(event: EventOf<"terminal">): void;
      /** A task's work changed: its lines against its base, its uncommitted files. */
      worktree(event: EventOf<"worktree.changed">): void;
      tasks(): void;
      resync(): void;
    },
  ) {}

  start(): void {
    this.closed = false;
    this.connect();
  }

  stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
  }

  private connect(): void {
    const ws = new WebSocket(this.api.socketUrl("/events"));
    this.ws = ws;
    ws.onopen = () => {
      this.state = "open";
      this.downSince = null;
      this.retryMs = MIN_RETRY_MS;
      // Anything may have changed while we were away.
      if (this.everOpen) this.handlers.resync();
      this.everOpen = true;
    };
    ws.onmessage = (event) => {
      let message: ServerEvent;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      switch (message.type) {
        case "run.started":
        case "run.changed":
          this.handlers.run(message.run);
          break;
        case "run.activity":
          this.handlers.run(message.run);
          this.handlers.activity(message);
          break;
        case "run.ended":
          this.handlers.run(message.run);
          this.handlers.ended(message);
          break;
        case "terminal":
          this.handlers.terminal(message);
          break;
        case "worktree.changed":
          this.handlers.worktree(message);
          break;
        case "tasks.changed":
          this.handlers.tasks();
          break;
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.closed) return;
      this.state = this.everOpen ? "down" : "connecting";
      this.downSince ??= Date.now();
      this.timer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    };
  }
}
