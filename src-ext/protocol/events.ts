import { z } from "zod";
import { AttachResult, RunInfo } from "./api.ts";
import { ModeName, TaskId } from "./ids.ts";
import { Activity, RunState } from "./states.ts";
import { ChangesBadge } from "./worktree.ts";

/**
 * Engine events, declared once: the in-process bus carries them, WS /events sends them as they
 * are (plus a `hello`), and the UI, the tray and the CLI react to the transition each one names
 * instead of diffing snapshots.
 */

/** What a run was before a change. */
export const RunBefore = z.object({ state: RunState, activity: Activity.nullable() });
export type RunBefore = z.infer<typeof RunBefore>;

/** A new run: claimed and starting (users see `running`). */
export const RunStarted = z.object({ type: z.literal("run.started"), run: RunInfo });
/** A run changed without starting or ending: launched, found alive again, an exit code noted, a new activity. */
export const RunChanged = z.object({ type: z.literal("run.changed"), previous: RunBefore, run: RunInfo });
/** A live run ended: finished, failed, stopped or lost. `outcome` says how, in words. */
export const RunEnded = z.object({ type: z.literal("run.ended"), previous: RunBefore.nullable(), run: RunInfo, outcome: z.string() });
/** What a running agent does changed (Claude Code's hooks): working, waiting, needs approval… */
export const RunActivity = z.object({ type: z.literal("run.activity"), previous: Activity.nullable(), run: RunInfo });
/** A terminal client attached to or detached from an interactive run's session (tmux hooks). */
export const RunAttached = z.object({
  type: z.literal("run.attached"),
  runId: z.string(),
  mode: ModeName,
  taskId: TaskId,
  session: z.string(),
  attached: z.boolean(),
});
/** How opening a terminal went, once known (dispatches and Attach answer before it is). */
export const TerminalOutcome = z.object({ type: z.literal("terminal"), mode: ModeName, taskId: TaskId, result: AttachResult });
/** Task files changed on disk. */
export const TasksChanged = z.object({ type: z.literal("tasks.changed") });
/** A task's work changed: its branch's lines against its base, its uncommitted files (null: no branch now). */
export const WorktreeChanged = z.object({ type: z.literal("worktree.changed"), taskId: TaskId, changes: ChangesBadge.nullable() });

const ENGINE_EVENTS = [RunStarted, RunChanged, RunEnded, RunActivity, RunAttached, TerminalOutcome, TasksChanged, WorktreeChanged] as const;

export const EngineEvent = z.discriminatedUnion("type", ENGINE_EVENTS);
export type EngineEvent = z.infer<typeof EngineEvent>;
export type EventOf<T extends EngineEvent["type"]> = Extract<EngineEvent, { type: T }>;

/** Messages on WS /events: a greeting, then every engine event. */
export const ServerEvent = z.discriminatedUnion("type", [z.object({ type: z.literal("hello"), version: z.string() }), ...ENGINE_EVENTS]);
export type ServerEvent = z.infer<typeof ServerEvent>;
