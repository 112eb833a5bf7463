import { type FSWatcher, watch } from "node:fs";
import type { RunFiles } from "./run-files.ts";
import type { RunManager } from "./run-manager.ts";

/**
 * Lost runs (a launcher killed with -9, a tmux server gone) leave no exit file; a slow sweep
 * finds them. Exits themselves are pushed by the file watcher, never found by this sweep.
 */
const SWEEP_MS = 5000;

/**
 * Push, not polling: the launcher's exit file appearing in `exits/` ends a run, and a write to
 * the database by another process (the CLI) shows up as a change of `dispatch.db-wal`.
 */
export class RunWatch {
  private watchers: FSWatcher[] = [];
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private syncTimer: ReturnType<typeof setTimeout> | null = null;
  private sweeping = false;

  constructor(
    private readonly files: RunFiles,
    private readonly runs: RunManager,
  ) {}

  start(): this {
    this.watchers.push(
      watch(this.files.exits, (_event, name) => {
        if (name && String(name).endsWith(".json"))
          this.runs.onExit(String(name).slice(0, -5)).catch((error) => console.error("dispatch: recording an exit failed:", error));
      }),
      watch(this.files.stateDir, (_event, name) => {
        if (name && String(name).startsWith("dispatch.db")) this.scheduleSync();
      }),
    );
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweepTimer.unref?.();
    // Exits written while no engine was watching are found by this first sweep.
    void this.sweep();
    return this;
  }

  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.syncTimer) clearTimeout(this.syncTimer);
  }

  private scheduleSync(): void {
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.runs.sync();
    }, 5);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.runs.reconcileAll();
    } catch (error) {
      console.error("dispatch: sweep failed:", error);
    } finally {
      this.sweeping = false;
    }
  }
}
