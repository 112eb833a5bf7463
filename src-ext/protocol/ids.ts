import { z } from "zod";

/** Task ids and mode names: the seed's `[A-Z0-9_-]+`, case-insensitive and bounded (DESIGN §2). */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const TaskId = z
  .string()
  .regex(NAME_PATTERN, "a task id is 1 to 64 characters of A-Z, a-z, 0-9, _ and -");
export type TaskId = z.infer<typeof TaskId>;

export const ModeName = z
  .string()
  .regex(NAME_PATTERN, "a mode name is 1 to 64 characters of A-Z, a-z, 0-9, _ and -");
export type ModeName = z.infer<typeof ModeName>;

/** The CLI's subcommands: a mode with one of these names could never be dispatched from the CLI. */
export const RESERVED_MODE_NAMES = [
  "status",
  "stop",
  "logs",
  "attach",
  "tasks",
  "modes",
  "runs",
  "serve",
  "app",
  "help",
  "version",
] as const;

/** tmux session of a run: the name users and scripts rely on (DESIGN §4). */
export function sessionName(mode: string, id: string): string {
  return `claude-${mode}-${id}`;
}
