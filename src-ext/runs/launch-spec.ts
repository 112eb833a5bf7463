import { z } from "zod";

/** What the launcher runs: written by the engine, read by `launcher.ts` in the run's process. */
export const LaunchSpec = z.object({
  runId: z.string(),
  argv: z.array(z.string()).min(1),
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  /** Headless runs get the prompt on stdin (a variadic extra cannot swallow it there). */
  stdin: z.string().nullable(),
  logFile: z.string(),
  exitFile: z.string(),
  /** Absolute path in the worktree to receive the final answer (`--save-to`). */
  saveTo: z.string().nullable(),
  timeoutSeconds: z.number().int().positive().nullable(),
});
export type LaunchSpec = z.infer<typeof LaunchSpec>;
