import { z } from "zod";
import { ModeName, TaskId } from "./ids.ts";
import { Activity, RunOrigin, RunState } from "./states.ts";
import { ChangesBadge } from "./worktree.ts";

/** Request body of POST /dispatch/{mode}/{id}. */
export const DispatchBody = z
  .object({
    extras: z.array(z.string().max(4096, "an extra is at most 4096 characters")).max(64).default([]),
    /** Continue the latest session of this mode and task as a new run (DESIGN §12). */
    resume: z.boolean().default(false),
  })
  .strict();
export type DispatchBody = z.infer<typeof DispatchBody>;

/** The final `result` event of a headless `stream-json` run. */
export const RunResult = z.object({
  subtype: z.string().optional(),
  isError: z.boolean().optional(),
  costUsd: z.number().optional(),
  turns: z.number().optional(),
  durationMs: z.number().optional(),
  sessionId: z.string().optional(),
  /** Why it failed, when it says so (DESIGN §12): the API's HTTP status, the reason it stopped, its errors. */
  apiErrorStatus: z.number().optional(),
  terminalReason: z.string().optional(),
  errors: z.array(z.string()).optional(),
  /** The final answer's first line (for a failure, the API error). */
  text: z.string().optional(),
});
export type RunResult = z.infer<typeof RunResult>;

/** POST /approve/{mode}/{id}: the answer to the permission request a run waits on (DESIGN §12). */
export const ApproveBody = z
  .object({
    decision: z.enum(["allow", "deny"]),
    message: z.string().max(2000, "a message is at most 2000 characters").optional(),
    /** The request this answers (its `pending.id`): a decision shown for one request never answers the next. */
    request: z.string().max(200).optional(),
  })
  .strict();
export type ApproveBody = z.infer<typeof ApproveBody>;

export const ApproveResult = z.object({ decided: z.literal(true), runId: z.string(), tool: z.string(), summary: z.string() });
export type ApproveResult = z.infer<typeof ApproveResult>;

/**
 * What a running agent waits for the user about: a tool to approve (with what it would do), a
 * question to answer, or an error it stopped on. `id` names the request: a decision names it back.
 */
export const Pending = z.object({
  id: z.string(),
  kind: z.enum(["approval", "question", "error"]),
  /** The tool asking (Bash, Write, AskUserQuestion…); empty for an error. */
  tool: z.string(),
  /** In a line: the command, the file, the question, the error. */
  summary: z.string(),
  input: z.unknown().optional(),
});
export type Pending = z.infer<typeof Pending>;

/** One run, as the API and the UI see it. */
export const RunInfo = z.object({
  runId: z.string(),
  mode: ModeName,
  taskId: TaskId,
  session: z.string(),
  headless: z.boolean(),
  state: RunState,
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  pid: z.number().int().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  origin: RunOrigin,
  extras: z.array(z.string()),
  worktree: z.string().nullable(),
  branch: z.string().nullable(),
  activity: Activity.nullable(),
  /** What the run waits for the user about, while it does. */
  pending: Pending.nullable(),
  /** The agent's own session id (Claude Code's, for resume); the latest one (`/clear` makes a new one). */
  sessionId: z.string().nullable(),
  /** The run this one continues (a resume). */
  resumedFrom: z.string().nullable(),
  /** The agent that runs (`claude`, `codex`, …). */
  agent: z.string(),
  result: RunResult.nullable(),
});
export type RunInfo = z.infer<typeof RunInfo>;

/** What Attach did: opened a window, raised the one already attached, or nothing (and why). */
export const AttachResult = z.object({
  session: z.string(),
  /**
   * opening: a terminal was started, a `terminal` event says how it went; opened: its window
   * attached; focused: the window already attached was raised; attached: one is attached but
   * cannot be raised here; failed: the terminal program failed (message: its own error);
   * none: nothing opened (no display, `terminal = none`), message says how to attach by hand.
   */
  action: z.enum(["opening", "opened", "focused", "attached", "failed", "none"]),
  terminal: z.string().nullable(),
  message: z.string(),
  /** How to attach by hand. */
  command: z.array(z.string()),
});
export type AttachResult = z.infer<typeof AttachResult>;

export const DispatchResult = z.object({
  session: z.string(),
  mode: ModeName,
  id: TaskId,
  runId: z.string(),
  headless: z.boolean(),
  state: RunState,
  reused: z.boolean(),
  /** Interactive dispatches from the API open (or raise) the user's terminal; never waited for. */
  terminal: AttachResult.optional(),
  /** What was left out, and why (the repository's untrusted version of this mode, say). */
  notice: z.string().optional(),
  /** The run a resume continues. */
  resumedFrom: z.string().optional(),
});
export type DispatchResult = z.infer<typeof DispatchResult>;

export const StatusResult = z.object({
  state: RunState,
  running: z.boolean(),
  headless: z.boolean(),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  session: z.string().optional(),
  runId: z.string().optional(),
  attached: z.boolean().optional(),
  /** What the agent does (DESIGN §12), and what it waits for the user about. */
  activity: Activity.optional(),
  pending: Pending.optional(),
  sessionId: z.string().optional(),
});
export type StatusResult = z.infer<typeof StatusResult>;

export const StopResult = z.object({ stopped: z.boolean(), state: RunState });
export type StopResult = z.infer<typeof StopResult>;

/** A mode's latest run, as shown on a task's badge. */
export const ModeBadge = z.object({
  state: RunState,
  exitCode: z.number().int().nullable(),
  runId: z.string(),
  /** What a running agent does (working, waiting, needs approval…). */
  activity: Activity.nullable(),
});
export type ModeBadge = z.infer<typeof ModeBadge>;

export const TaskSummary = z.object({
  id: TaskId,
  title: z.string(),
  status: z.string().nullable(),
  priority: z.string().nullable(),
  phase: z.string().nullable(),
  type: z.string().nullable(),
  tags: z.array(z.string()),
  path: z.string(),
  runs: z.record(z.string(), ModeBadge),
  /** What its runs cost so far (Claude Code's results), or null when none said. */
  costUsd: z.number().nullable(),
  /** Its branch's work against its base and its uncommitted files, as last measured; null without a branch. */
  changes: ChangesBadge.nullable(),
});
export type TaskSummary = z.infer<typeof TaskSummary>;

export const TaskDetail = TaskSummary.extend({
  body: z.string(),
  frontMatter: z.record(z.string(), z.unknown()),
  worktree: z.string(),
  branch: z.string(),
});
export type TaskDetail = z.infer<typeof TaskDetail>;

/** A task file that could not be read as a task. */
export const TaskProblem = z.object({
  file: z.string(),
  line: z.number().int().nullable(),
  reason: z.string(),
});
export type TaskProblem = z.infer<typeof TaskProblem>;

export const TasksResult = z.object({ tasks: z.array(TaskSummary), problems: z.array(TaskProblem) });
export type TasksResult = z.infer<typeof TasksResult>;

export const ModeExtra = z.object({
  name: z.string(),
  value: z.string().optional(),
  description: z.string().default(""),
});
export type ModeExtra = z.infer<typeof ModeExtra>;

export const ModeInfo = z.object({
  name: ModeName,
  description: z.string(),
  interactive: z.boolean(),
  extras: z.array(ModeExtra),
  source: z.enum(["builtin", "repo"]),
  timeout: z.number().nullable(),
  /** The repository's version of this mode is trusted (always true for a built-in alone). */
  trusted: z.boolean(),
  /** The repository has its own mode of a built-in's name: it replaces the built-in once trusted. */
  overrides: z.boolean(),
});
export type ModeInfo = z.infer<typeof ModeInfo>;

/** Something the repository brings that runs code, and whether the user trusts it (DESIGN §3). */
export const TrustItemInfo = z.object({
  kind: z.enum(["command", "mode", "claude", "path"]),
  path: z.string(),
  what: z.string(),
  trusted: z.boolean(),
  overrides: z.string().optional(),
});
export type TrustItemInfo = z.infer<typeof TrustItemInfo>;

/** GET /trust: what the repository brings, whether all of it is trusted, and the fingerprint to trust it by. */
export const TrustStatus = z.object({
  repo: z.string(),
  trusted: z.boolean(),
  /** Trusted once, and changed since. */
  changed: z.boolean(),
  fingerprint: z.string(),
  items: z.array(TrustItemInfo),
  /** Where the decisions are kept (outside the repository). */
  file: z.string(),
});
export type TrustStatus = z.infer<typeof TrustStatus>;

/** POST /trust: trust exactly the content that was shown (its fingerprint). */
export const TrustBody = z.object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/, "a fingerprint from GET /trust") }).strict();
export type TrustBody = z.infer<typeof TrustBody>;

export const Health = z.object({ ok: z.literal(true), version: z.string(), events: z.number().int() });
export type Health = z.infer<typeof Health>;

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
