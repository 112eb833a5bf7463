import { z } from "zod";
import { ModeExtra, type ModeInfo } from "../protocol/api.ts";
import { ModeName, RESERVED_MODE_NAMES } from "../protocol/ids.ts";

/** A mode file: data, not code (DESIGN §3). */
export const ModeFile = z
  .object({
    name: ModeName.refine((n) => !(RESERVED_MODE_NAMES as readonly string[]).includes(n), {
      message: `is a CLI subcommand (reserved: ${RESERVED_MODE_NAMES.join(", ")})`,
    }),
    description: z.string().default(""),
    interactive: z.boolean(),
    args: z.array(z.string()).default([]),
    prompt: z.string().min(1),
    /** The agent CLI the mode runs (agents/): `claude` unless it names another. */
    agent: z.string().default("claude"),
    /** Seconds after which a headless run is ended. */
    timeout: z.number().int().positive().optional(),
    extras: z.array(ModeExtra).default([]),
  })
  .strict();

export type Mode = z.infer<typeof ModeFile> & { source: "builtin" | "repo"; file: string };

export function modeInfo(mode: Mode, trust: { trusted: boolean; overrides: boolean }): ModeInfo {
  return {
    ...trust,
    name: mode.name,
    description: mode.description,
    interactive: mode.interactive,
    extras: mode.extras,
    source: mode.source,
    timeout: mode.timeout ?? null,
  };
}
