import type { Pending, RunResult } from "../protocol/api.ts";
import type { Activity, RunState } from "../protocol/states.ts";
import type { ExitRecord } from "./run-files.ts";

/**
 * The one owner of a run's life: a pure function from what is recorded of a run and one
 * observation of the world to the change to record. Every trigger (a dispatch, the launcher's exit
 * file, our child's exit, another process's write, the sweep, Stop, start-up recovery) turns into
 * an observation and comes through here, so the rules of DESIGN §4 live in one place:
 *
 * - `lost` only on a sure sign: the run's own process is gone (checked with its start time) and
 *   it left no exit code. A run found alive again goes back to `running`; a late exit code wins.
 * - An exit code is never overwritten, and a Stop is never turned into `failed` by the exit it
 *   provoked (the code is noted; the state stays `stopped`).
 * - Whatever still exists of a run that is over (a dead pane, a tool left in its process group)
 *   is ended: never an orphan.
 */

/** `starting`: claimed, its agent not yet known to run. Users see `running`. */
export type Phase = Exclude<RunState, "idle"> | "starting";

export const PHASES: readonly Phase[] = ["starting", "running", "finished", "failed", "stopped", "lost"];

export function isLive(phase: Phase): boolean {
  return phase === "starting" || phase === "running";
}

/** Where a run's agent lives, learned at launch or when a run is adopted. */
export type Whereabouts = {
  /** The launcher's pid: the pane's process, or the job's process group. */
  pid: number | null;
  /** Its start time, so a reused pid is never taken for it. */
  pidStart: string | null;
  /** tmux's id of the session (`$N`). */
  tmuxId: string | null;
  /** The tmux server's socket path. */
  socket: string | null;
};

/** What a transition reads and writes of a run. */
export type RunFacts = Whereabouts & {
  phase: Phase;
  exitCode: number | null;
  reason: string | null;
  result: RunResult | null;
  activity: Activity | null;
  /** What the agent waits for the user about (with `needs-approval`, `needs-input`, `error`). */
  pending: Pending | null;
  /** The agent's session id, as it last said it. */
  sessionId: string | null;
  endedAt: string | null;
  worktree: string | null;
  branch: string | null;
};

export type Observation =
  /** The launch went through: the agent runs there. */
  | { kind: "launched"; where: Whereabouts; worktree: string; branch: string }
  /** The launch failed before any agent ran. */
  | { kind: "launch-failed"; reason: string }
  /** The launcher recorded how the agent ended. */
  | { kind: "exit"; exit: ExitRecord }
  /** The run's process or session was found running (what is known of where it lives comes along). */
  | { kind: "alive"; where: Partial<Whereabouts> }
  /** Sure: the run's process is gone and no exit code exists. */
  | { kind: "gone"; reason: string }
  /** Sure: nothing of the run ever ran (its dispatcher died before launching it). */
  | { kind: "never-started"; reason: string }
  /** The user asked to stop it. */
  | { kind: "stop" }
  /** The agent reported what it is doing (hooks, its session registry; DESIGN §12). */
  | { kind: "activity"; activity: Activity | null; pending?: Pending | null; sessionId?: string };

export type Change = {
  /** Fields to record (empty when only `endRemains` is due). */
  set: Partial<RunFacts>;
  /** End whatever of the run still exists: its tmux session, its process group. */
  endRemains: boolean;
};

/** A run just claimed: nothing known yet of where it runs or how it ends. */
export function claimedFacts(): RunFacts {
  return {
    phase: "starting",
    exitCode: null,
    reason: null,
    result: null,
    activity: null,
    pending: null,
    sessionId: null,
    endedAt: null,
    worktree: null,
    branch: null,
    pid: null,
    pidStart: null,
    tmuxId: null,
    socket: null,
  };
}

const STOPPED_REASON = "stopped by the user";

/** Activities that wait for the user, with what they wait about in `pending`. */
const NEEDS_USER = new Set<Activity>(["needs-approval", "needs-input", "error"]);

/**
 * Why Claude Code's final `result` says the run failed (FACTS §6: read `is_error`,
 * `api_error_status`, `terminal_reason`, not `subtype`, which says "success" on an API error).
 */
export function resultReason(result: RunResult | null): string | null {
  if (!result?.isError) return null;
  if (result.apiErrorStatus) {
    // The text repeats the status ("API Error: 400 invalid_request_error"): say it once.
    const said = result.text?.replace(/^API Error:\s*\d{3}\s*/i, "").trim();
    return `API error ${result.apiErrorStatus}${said ? `: ${said}` : ""}`;
  }
  if (result.subtype === "error_max_turns") return result.errors?.[0] ?? "reached the maximum number of turns";
  if (result.terminalReason && result.terminalReason !== "completed")
    return `stopped: ${result.terminalReason}${result.errors?.[0] ? ` (${result.errors[0]})` : ""}`;
  return `the agent reported an error${result.errors?.[0] ? `: ${result.errors[0]}` : result.subtype ? ` (${result.subtype})` : ""}`;
}

function fromExit(exit: ExitRecord): Partial<RunFacts> {
  // Claude Code's `result` can report an error with exit 0 (DESIGN §12): that is a failure, with
  // its reason, and so is a launcher that could not do what the run asked (a refused --save-to).
  const reported = resultReason(exit.result);
  return {
    phase: exit.code === 0 && !reported && !exit.reason ? "finished" : "failed",
    exitCode: exit.code,
    reason: exit.reason ?? reported ?? (exit.signal ? `ended by ${exit.signal}` : null),
    result: exit.result,
    endedAt: exit.endedAt,
    activity: null,
    pending: null,
    sessionId: exit.result?.sessionId,
  };
}

/** Only the fields that differ: a change that changes nothing is no change. */
function changed(run: RunFacts, set: Partial<RunFacts>): Partial<RunFacts> {
  const out: Partial<RunFacts> = {};
  for (const [key, value] of Object.entries(set) as [keyof RunFacts, unknown][]) {
    if (value !== undefined && JSON.stringify(run[key]) !== JSON.stringify(value)) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

function change(run: RunFacts, set: Partial<RunFacts>, endRemains = false): Change | null {
  const diff = changed(run, set);
  return Object.keys(diff).length > 0 || endRemains ? { set: diff, endRemains } : null;
}

/** Known whereabouts, without the unknown ones erasing what is recorded. */
function where(w: Partial<Whereabouts>): Partial<RunFacts> {
  return Object.fromEntries(Object.entries(w).filter(([, v]) => v !== null && v !== undefined));
}

export function transition(run: RunFacts, o: Observation, now: string): Change | null {
  const live = isLive(run.phase);
  const end = (phase: Phase, reason: string | null): Partial<RunFacts> => ({ phase, reason, endedAt: now, activity: null, pending: null });
  switch (o.kind) {
    case "launched": {
      const facts = { ...where(o.where), worktree: o.worktree, branch: o.branch };
      if (run.phase === "starting") return change(run, { ...facts, phase: "running" });
      // Stopped while it was being launched: what was just launched must go.
      return change(run, facts, run.phase === "stopped");
    }
    case "launch-failed":
      return run.phase === "starting" ? change(run, end("failed", `could not start: ${o.reason}`)) : null;
    case "exit":
      if (live || run.phase === "lost") return change(run, fromExit(o.exit), true);
      // The exit a Stop provoked: noted, the state stays.
      if (run.phase === "stopped" && run.exitCode === null) return change(run, { exitCode: o.exit.code });
      return null;
    case "alive":
      if (run.phase === "starting") return change(run, { ...where(o.where), phase: "running" });
      if (run.phase === "running") return change(run, where(o.where));
      // Found alive again: `lost` was wrong to say, so it is taken back.
      if (run.phase === "lost") return change(run, { ...where(o.where), phase: "running", reason: null, endedAt: null });
      // Stopped, yet something of it runs on: end it again.
      if (run.phase === "stopped") return change(run, {}, true);
      return null;
    case "gone":
      return live ? change(run, end("lost", o.reason), true) : null;
    case "never-started":
      return run.phase === "starting" ? change(run, end("failed", `could not start: ${o.reason}`), true) : null;
    case "stop":
      if (live) return change(run, end("stopped", STOPPED_REASON), true);
      // Whatever its recorded state, a Stop ends what still exists of the run.
      return change(run, {}, true);
    case "activity": {
      if (!live) return null;
      const set: Partial<RunFacts> = { sessionId: o.sessionId };
      if (o.activity !== null) set.activity = o.activity;
      // What the user is asked about holds until the agent moves on; anything else clears it.
      if (o.pending !== undefined) set.pending = o.pending;
      else if (o.activity !== null && !NEEDS_USER.has(o.activity)) set.pending = null;
      return change(run, set);
    }
  }
}
