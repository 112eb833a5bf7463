import { z } from "zod";

import { NAME_PATTERN } from "./names.ts";

export { NAME_PATTERN, sessionName } from "./names.ts";

export const TaskId = z.string().regex(NAME_PATTERN, "a task id is 1 to 64 characters of A-Z, a-z, 0-9, _ and -");
export type TaskId = z.infer<typeof TaskId>;

export const ModeName = z.string().regex(NAME_PATTERN, "a mode name is 1 to 64 characters of A-Z, a-z, 0-9, _ and -");
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
  "trust",
  "untrust",
  "approve",
  "deny",
  "diff",
  "merge",
  "commit",
  "remove",
] as const;
