import type { RunInfo, RunResult } from "../protocol/api.ts";
import type { RunOrigin } from "../protocol/states.ts";
import type { RunFacts } from "./run-state.ts";

/**
 * A run as the engine records it. It never leaves `runs/`: the API, the UI, the tray and the CLI
 * see `RunInfo`, made by `toRunInfo` only.
 */
export type RunRecord = RunFacts & {
  id: string;
  mode: string;
  taskId: string;
  session: string;
  headless: boolean;
  origin: RunOrigin;
  extras: string[];
  logPath: string;
  startedAt: string;
  /** The process that claimed the run and launches it, with its start time. */
  ownerPid: number;
  ownerStart: string | null;
  /** Grows with every write by any process: how the server learns of the CLI's changes. */
  rev: number;
  resumedFrom: string | null;
  agent: string;
};

export function toRunInfo(run: RunRecord): RunInfo {
  return {
    runId: run.id,
    mode: run.mode,
    taskId: run.taskId,
    session: run.session,
    headless: run.headless,
    state: run.phase === "starting" ? "running" : run.phase,
    exitCode: run.exitCode,
    reason: run.reason,
    pid: run.pid,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    origin: run.origin,
    extras: run.extras,
    worktree: run.worktree,
    branch: run.branch,
    activity: run.activity,
    pending: run.pending,
    sessionId: run.sessionId,
    resumedFrom: run.resumedFrom,
    agent: run.agent,
    result: run.result as RunResult | null,
  };
}
