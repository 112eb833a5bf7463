import type { Bus } from "../events.ts";
import type { Tmux } from "../tmux/tmux.ts";
import type { RunLifecycle } from "./run-lifecycle.ts";
import { isLive } from "./run-state.ts";

/**
 * Whether a terminal is attached to each live interactive run, kept in memory for /status and
 * pushed as `run.attached`. tmux's `client-attached` and `client-detached` hooks append a line to
 * the run's event file (tmux.ts); each line makes one `list-clients` call here, so a request never
 * asks tmux.
 */
export class Attachments {
  private attached = new Map<string, boolean>();
  private off: () => void;

  constructor(
    private readonly runs: RunLifecycle,
    private readonly tmux: Tmux,
    private readonly bus: Bus,
  ) {
    const offs = [
      // Claimed before its session exists: nothing can be attached yet, and the hooks tell from here on.
      bus.on("run.started", ({ run }) => {
        if (!run.headless && !this.attached.has(run.runId)) this.attached.set(run.runId, false);
      }),
      bus.on("run.ended", ({ run }) => this.attached.delete(run.runId)),
    ];
    this.off = () => {
      for (const off of offs) off();
    };
  }

  get(runId: string): boolean | undefined {
    return this.attached.get(runId);
  }

  /** Asks the run's tmux server who is attached; publishes a change. */
  async refresh(runId: string): Promise<boolean | undefined> {
    const run = this.runs.get(runId);
    if (!run || run.headless || !isLive(run.phase)) {
      this.attached.delete(runId);
      return undefined;
    }
    const now = (await this.tmux.at(run.socket).clients(run.session)).length > 0;
    const before = this.attached.get(runId);
    this.attached.set(runId, now);
    if (before !== now && (before !== undefined || now)) {
      this.bus.emit({ type: "run.attached", runId, mode: run.mode, taskId: run.taskId, session: run.session, attached: now });
    }
    return now;
  }

  /** Learns the state of every live interactive run once (at start-up); hooks keep it after that. */
  async refreshAll(): Promise<void> {
    for (const run of this.runs.latestAll()) {
      if (!run.headless && isLive(run.phase)) await this.refresh(run.id).catch(() => undefined);
    }
  }

  /** Resolves true once a client attaches to the run's session, false after `ms`. */
  waitAttached(runId: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        off();
        clearTimeout(timer);
        resolve(value);
      };
      const off = this.bus.on("run.attached", (event) => {
        if (event.runId === runId && event.attached) done(true);
      });
      const timer = setTimeout(() => done(false), ms);
    });
  }

  close(): void {
    this.off();
  }
}
