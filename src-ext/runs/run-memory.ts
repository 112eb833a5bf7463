import type { Bus } from "../events.ts";
import { runOutcome } from "../protocol/describe.ts";
import type { RunBefore } from "../protocol/events.ts";
import { type RunRecord, toRunInfo } from "./run-record.ts";
import { isLive, type Phase } from "./run-state.ts";

const key = (mode: string, taskId: string) => `${mode}\0${taskId}`;

function beforeOf(run: { phase: Phase; activity: RunRecord["activity"] }): RunBefore {
  return { state: run.phase === "starting" ? "running" : run.phase, activity: run.activity };
}

/**
 * What this process knows of the runs and has told its listeners: the newest run of every
 * {mode, task} (so status answers never spawn a process or query), and what each run was when it
 * was last published, so every new record goes out as the transition it is.
 */
export class RunMemory {
  private latestByKey = new Map<string, RunRecord>();
  private published = new Map<string, { rev: number; before: RunBefore; pendingId?: string | null }>();

  constructor(private readonly bus: Bus) {}

  /** Starts from the database, publishing nothing: listeners ask for the present themselves. */
  load(latest: RunRecord[], states: Array<{ id: string; rev: number; phase: Phase; activity: RunRecord["activity"] }>): void {
    for (const run of latest) this.latestByKey.set(key(run.mode, run.taskId), run);
    for (const run of states) this.published.set(run.id, { rev: run.rev, before: beforeOf(run) });
  }

  latest(mode: string, taskId: string): RunRecord | undefined {
    return this.latestByKey.get(key(mode, taskId));
  }

  latestAll(): RunRecord[] {
    return [...this.latestByKey.values()];
  }

  /** Takes a run's record as written (by anyone) and publishes it as the transition it is; an old or known record is nothing new. */
  note(run: RunRecord): void {
    const last = this.published.get(run.id);
    if (last && last.rev >= run.rev) return;
    this.published.set(run.id, { rev: run.rev, before: beforeOf(run), pendingId: run.pending?.id ?? null });
    const k = key(run.mode, run.taskId);
    const newest = this.latestByKey.get(k);
    if (!newest || newest.id === run.id || run.startedAt >= newest.startedAt) this.latestByKey.set(k, run);
    const info = toRunInfo(run);
    const before = last?.before ?? null;
    if (isLive(run.phase)) {
      const asked = (run.pending?.id ?? null) !== (last?.pendingId ?? null);
      if (!before) this.bus.emit({ type: "run.started", run: info });
      // What it does (or asks) changed, and nothing else a listener shows.
      else if (before.state === info.state && (before.activity !== info.activity || asked))
        this.bus.emit({ type: "run.activity", previous: before.activity, run: info });
      else this.bus.emit({ type: "run.changed", previous: before, run: info });
    } else if (!before || before.state === "running" || (before.state === "lost" && info.state !== "lost")) {
      // Ended now, or a `lost` corrected by a late exit record: either way, how it ended is news.
      this.bus.emit({ type: "run.ended", previous: before, run: info, outcome: runOutcome(info) });
    } else {
      this.bus.emit({ type: "run.changed", previous: before, run: info });
    }
  }
}
