import { alive, groupLives, processWithArg, startTime } from "../proc/liveness.ts";
import type { Tmux } from "../tmux/tmux.ts";
import { finishExit } from "./exit-finish.ts";
import type { RunFiles } from "./run-files.ts";
import type { RunRecord } from "./run-record.ts";
import type { Observation } from "./run-state.ts";

/**
 * Looks at the world for one run and says what it sees, only when it is sure; null means "nothing
 * new, or nothing certain". The order matters: the exit record first (it is the truth), then the
 * run's own process group: its launcher (the pane's process, or the job's group leader), checked
 * by pid and start time, or, the launcher gone, the agent still in its group (DESIGN §4: `lost`
 * only once the recorded process group is gone). That check needs no tmux and no environment, so
 * a CLI started with another tmux socket or TMUX_TMPDIR sees what the server sees. tmux is asked
 * only for a run still `starting`, on the server the run was created on.
 */

export type ProbeDeps = {
  files: RunFiles;
  tmux: Tmux;
  /** Whether this process is launching the run right now. */
  launching(runId: string): boolean;
};

/**
 * Without /proc a launcher that has not written its pid record yet cannot be seen; one that did
 * not write it this long after its run was claimed never started. Here it is written 46 ms after
 * the dispatch began (77 ms at most over 20 dispatches); 30 s leaves room for a machine under
 * heavy load.
 */
const STARTING_GRACE_MS = 30_000;

const VANISHED = {
  headless: "the agent's process vanished without an exit code",
  interactive: "the tmux session's process vanished without an exit code",
};

export async function probe(run: RunRecord, deps: ProbeDeps): Promise<Observation | null> {
  const exit = deps.files.readExit(run.id);
  if (exit) return { kind: "exit", exit: finishExit(deps.files, run.id, exit) };
  if (run.phase === "starting") return probeStarting(run, deps);
  if (run.phase === "finished" || run.phase === "failed") return null;
  return probeProcess(run, deps);
}

/**
 * The launcher's pid and start time, from the record or from the launcher's own pid record (which
 * has the start time when the launch could not read it: a pane whose process ended at once).
 */
export function launcherOf(run: RunRecord, files: RunFiles): { pid: number; pidStart: string | null } | null {
  const start = run.pidStart === null || run.pid === null ? files.readStart(run.id) : null;
  if (run.pid) return { pid: run.pid, pidStart: run.pidStart ?? (start?.pid === run.pid ? start.pidStart : null) };
  return start ? { pid: start.pid, pidStart: start.pidStart } : null;
}

/**
 * Whether the run's process group lives. A record without a start time (written before they were
 * kept) is matched by the launcher's arguments, which name the run's spec.
 */
export function runLives(run: RunRecord, files: RunFiles): boolean {
  const launcher = launcherOf(run, files);
  return launcher !== null && groupLives(launcher.pid, launcher.pidStart, files.spec(run.id));
}

/** A run that was launched: is its process group still there? */
async function probeProcess(run: RunRecord, deps: ProbeDeps): Promise<Observation | null> {
  const proc = launcherOf(run, deps.files);
  if (proc) {
    if (groupLives(proc.pid, proc.pidStart, deps.files.spec(run.id))) return { kind: "alive", where: proc };
    // It may have written its exit record just before it went.
    const exit = deps.files.readExit(run.id);
    if (exit) return { kind: "exit", exit: finishExit(deps.files, run.id, exit) };
    return { kind: "gone", reason: run.headless ? VANISHED.headless : VANISHED.interactive };
  }
  // No pid known: only the run's own tmux server can tell, if it is known.
  if (run.headless || !run.socket) return null;
  return fromSession(run, deps, "gone");
}

/** Asks the run's tmux server for the run's session (checked by DISPATCH_RUN_ID). */
async function fromSession(run: RunRecord, deps: ProbeDeps, missing: "gone" | "never-started"): Promise<Observation | null> {
  const found = await deps.tmux.at(run.socket).findRunSession(run.session, run.id);
  if (typeof found === "object" && !found.dead) {
    return { kind: "alive", where: { pid: found.pid, pidStart: startTime(found.pid), tmuxId: found.id, socket: run.socket } };
  }
  const exit = deps.files.readExit(run.id);
  if (exit) return { kind: "exit", exit };
  if (typeof found === "object") return { kind: "gone", reason: VANISHED.interactive };
  // The session was never created: the dispatcher died first, and nothing can create it now.
  if (missing === "never-started") {
    return { kind: "never-started", reason: "the dispatching process exited before the session was created" };
  }
  // A launched run's session: sure only when its server answers and knows no such session.
  return found === "absent" ? { kind: "gone", reason: VANISHED.interactive } : null;
}

/** A run claimed but not recorded as launched: its dispatcher may be at work, or may have died at any step. */
async function probeStarting(run: RunRecord, deps: ProbeDeps): Promise<Observation | null> {
  if (deps.launching(run.id)) return null;
  // Its dispatcher is another live process, at work on it. (This process, not launching it, has
  // given up on it: a launch that threw before it could record its end.)
  if (run.ownerPid !== process.pid && alive(run.ownerPid, run.ownerStart)) return null;
  // The dispatcher died. What did it get done? The launcher's pid record, then tmux, then /proc.
  if (deps.files.readStart(run.id)) return probeProcess(run, deps);
  if (!run.headless) return fromSession(run, deps, "never-started");
  const booting = processWithArg(deps.files.spec(run.id));
  if (booting === true) return null;
  if (booting === null && Date.now() - Date.parse(run.startedAt) < STARTING_GRACE_MS) return null;
  // Looked again: the launcher may have written its records between the two looks.
  if (deps.files.readStart(run.id)) return probeProcess(run, deps);
  const exit = deps.files.readExit(run.id);
  if (exit) return { kind: "exit", exit };
  return { kind: "never-started", reason: "the dispatching process exited before the agent was started" };
}
