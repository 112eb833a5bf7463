import { z } from "zod";
import { RunOrigin } from "../protocol/states.ts";

/**
 * What the launcher runs, written by the engine before the launch (`specs/<run>.json`). It is also
 * the run's identity on disk: with the launcher's pid record, its exit record and tmux, it is
 * enough to rebuild the run's record when the database lost it.
 */
export const LaunchSpec = z.object({
  runId: z.string(),
  mode: z.string(),
  taskId: z.string(),
  session: z.string(),
  headless: z.boolean(),
  origin: RunOrigin,
  extras: z.array(z.string()),
  /** When the run was claimed. */
  claimedAt: z.string(),
  /** The tmux server an interactive run is created on; null for headless runs. */
  socket: z.string().nullable(),
  branch: z.string(),
  argv: z.array(z.string()).min(1),
  /** The task's worktree. */
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  /** Headless runs get the prompt on stdin (a variadic extra cannot swallow it there). */
  stdin: z.string().nullable(),
  logFile: z.string(),
  /** The launcher's first record: where it runs. */
  pidFile: z.string(),
  exitFile: z.string(),
  /** Where the exit record goes when `exitFile`'s folder cannot take it. */
  exitFallback: z.string(),
  /** Absolute path in the worktree to receive the final answer (`--save-to`). */
  saveTo: z.string().nullable(),
  timeoutSeconds: z.number().int().positive().nullable(),
});
export type LaunchSpec = z.infer<typeof LaunchSpec>;
