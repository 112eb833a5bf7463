import { mkdirSync } from "node:fs";
import { type SettledWatcher, watchSettled } from "../fs/watch-settled.ts";
import { capLogSafely } from "./log-cap.ts";
import type { ActivityReader } from "./run-activity.ts";
import { privateDir, type RunFiles } from "./run-files.ts";
import type { RunLifecycle } from "./run-lifecycle.ts";
import { isLive } from "./run-state.ts";

/**
 * A run that vanished without a trace (a launcher killed with -9, a reboot) leaves no event: a
 * slow sweep finds it. Each sweep costs one query and, per live run, one `kill -0`, one read
 * of /proc and one fstat of its event file; 5 s makes a `lost` verdict visible soon after a crash
 * at no measurable cost.
 */
const SWEEP_MS = 5000;
/** One WAL write by another process fires several change events: one read of the database for the burst. */
const SYNC_DEBOUNCE_MS = 5;

/**
 * Push, not polling: the launcher's exit record appearing in `exits/` ends a run, a write to the
 * database by another process (the CLI) shows up as a change of `dispatch.db-wal`, and a line in
 * `events/<run>.jsonl` says what the agent does (Claude Code's hooks) or that a terminal attached
 * or detached (tmux's hooks).
 */
export class RunWatch {
  private watchers: SettledWatcher[] = [];
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private syncTimer: ReturnType<typeof setTimeout> | null = null;
  private sweeping = false;

  constructor(
    private readonly files: RunFiles,
    private readonly runs: RunLifecycle,
    private readonly activity: ActivityReader,
    /** Config `log.max` as trust allows now: live logs are kept within it (log-cap.ts). */
    private readonly logMax: () => number,
  ) {}

  start(): this {
    const report = (what: string) => (error: unknown) => console.error(`dispatch: ${what} failed:`, error);
    const onExit = (name: string) => {
      if (name.endsWith(".json")) this.runs.observe(name.slice(0, -5)).catch(report("recording an exit"));
    };
    this.follow(this.files.exits, onExit);
    // Where launchers put exits that `exits/` could not take.
    try {
      privateDir(this.files.fallbackExits);
      this.follow(this.files.fallbackExits, onExit);
    } catch {
      // Not private (or not creatable): the sweep still finds those exits.
    }
    this.follow(this.files.stateDir, (name) => {
      if (name.startsWith("dispatch.db")) this.scheduleSync();
    });
    this.follow(this.files.events, (name) => {
      if (name.endsWith(".jsonl")) this.activity.read(name.slice(0, -6)).catch(report("reading a run's events"));
    });
    // Claude Code's session registry: answers typed in the pane fire no hook. Claude Code makes
    // the folder on its first run; made here first, it is watched from the start.
    try {
      mkdirSync(this.activity.registry, { recursive: true, mode: 0o700 });
      this.follow(this.activity.registry, (name) => {
        const pid = /^(\d+)\.json$/.exec(name)?.[1];
        if (pid) this.activity.registryChanged(Number(pid)).catch(report("reading Claude Code's session registry"));
      });
    } catch {
      // Not creatable (a read-only home): the hooks alone tell.
    }
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweepTimer.unref?.();
    void this.activity.readAll();
    return this;
  }

  /** A folder that cannot be watched (replaced by a file, say) is left to the sweep; it never ends the process. */
  private follow(dir: string, onName: (name: string) => void): void {
    try {
      const watcher = watchSettled(dir, {}, (_event, name) => {
        if (name) onName(String(name));
      });
      watcher.on("error", (error) => console.error(`dispatch: stopped watching ${dir}: ${error.message}`));
      this.watchers.push(watcher);
    } catch (error) {
      console.error(`dispatch: cannot watch ${dir}: ${(error as Error).message}`);
    }
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
      try {
        this.runs.sync();
      } catch (error) {
        // The next write, or the sweep, reads again: a failed read must not end the server.
        console.error("dispatch: reading other processes' writes failed:", error);
      }
    }, SYNC_DEBOUNCE_MS);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.runs.observeAll();
      // The same safety net for the event files: a notice lost some other way costs at most a sweep.
      await this.activity.readAll();
      // Each live run's log within its cap (one fstat each; a cut when it grew past it).
      for (const run of this.runs.latestAll()) if (isLive(run.phase)) capLogSafely(run.logPath, this.logMax());
    } catch (error) {
      console.error("dispatch: sweep failed:", error);
    } finally {
      this.sweeping = false;
    }
  }
}
