import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { RunResult } from "../protocol/api.ts";

/**
 * Where a run's files live under the state folder. The exit file is written by the launcher when
 * the agent ends (atomically: temp file, then rename), so an exit survives a restart of the
 * extension and reaches any engine process that watches `exits/`.
 */
export class RunFiles {
  readonly logs: string;
  readonly exits: string;
  readonly specs: string;

  constructor(readonly stateDir: string) {
    this.logs = join(stateDir, "logs");
    this.exits = join(stateDir, "exits");
    this.specs = join(stateDir, "specs");
  }

  ensure(): this {
    for (const dir of [this.logs, this.exits, this.specs]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    return this;
  }

  log(runId: string): string {
    return join(this.logs, `${runId}.log`);
  }

  exit(runId: string): string {
    return join(this.exits, `${runId}.json`);
  }

  spec(runId: string): string {
    return join(this.specs, `${runId}.json`);
  }

  /** The run's exit record, or null while it has none (running, or gone without one). */
  readExit(runId: string): ExitRecord | null {
    let text: string;
    try {
      text = readFileSync(this.exit(runId), "utf8");
    } catch {
      return null;
    }
    // A damaged file (a crash mid-write before the rename existed, a full disk) is no exit.
    try {
      const parsed = ExitRecord.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}

export const ExitRecord = z.object({
  code: z.number().int(),
  signal: z.string().nullable(),
  endedAt: z.string(),
  reason: z.string().nullable().default(null),
  result: RunResult.nullable().default(null),
});
export type ExitRecord = z.infer<typeof ExitRecord>;

/** Run ids sort by start time and are safe in file names and tmux variables. */
export function newRunId(): string {
  const time = Date.now().toString(36).padStart(9, "0");
  const random = crypto.getRandomValues(new Uint8Array(5));
  return `r${time}${Buffer.from(random).toString("hex")}`;
}
