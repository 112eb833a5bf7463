import { z } from "zod";

/** A run's state as users see it (DESIGN §4). `idle` means never run. */
export const RunState = z.enum(["idle", "running", "finished", "failed", "stopped", "lost"]);
export type RunState = z.infer<typeof RunState>;

/** Who asked for a run; shown in the run history. */
export const RunOrigin = z.enum(["cli", "ui", "api", "tray"]);
export type RunOrigin = z.infer<typeof RunOrigin>;

/**
 * What a running session is doing, from Claude Code hooks (DESIGN §12; the awareness issue fills
 * it in). Declared here so the run's state machine has room for it.
 */
export const Activity = z.enum(["starting", "working", "waiting", "needs-approval", "needs-input", "error"]);
export type Activity = z.infer<typeof Activity>;
