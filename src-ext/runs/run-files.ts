import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { stateError } from "../errors.ts";
import { writePrivateFile } from "../fs/private-file.ts";
import { RunResult } from "../protocol/api.ts";

/**
 * Where a run's files live under the state folder, and the only reader of what launchers write:
 * `specs/<run>.json` (what to run: written before launch, enough to rebuild the run's record),
 * `pids/<run>.json` (the launcher's first act: where it runs), `exits/<run>.json` (its last act:
 * how the agent ended), `logs/<run>.log` and `events/<run>.jsonl` (tmux's and, later, Claude's
 * hooks). Records are written atomically (temp file, then rename), so a reader never sees half.
 */
export class RunFiles {
  readonly logs: string;
  readonly exits: string;
  readonly specs: string;
  readonly pids: string;
  readonly events: string;
  readonly prompts: string;
  /** Per-run agent settings (Claude Code's hooks). */
  readonly agents: string;
  /** Decisions given from outside the session, read by the run's approval hook. */
  readonly decisions: string;
  /** The output of each task's worktree setup (the latest one). */
  readonly setups: string;
  private fallbackOfSpec = new Map<string, string | null>();

  constructor(
    readonly stateDir: string,
    /** Where a launcher puts an exit record when `exits/` cannot take it (an exit code is never lost). */
    readonly fallbackExits: string = fallbackExitDir(),
  ) {
    this.logs = join(stateDir, "logs");
    this.exits = join(stateDir, "exits");
    this.specs = join(stateDir, "specs");
    this.pids = join(stateDir, "pids");
    this.events = join(stateDir, "events");
    this.prompts = join(stateDir, "prompts");
    this.agents = join(stateDir, "agents");
    this.decisions = join(stateDir, "decisions");
    this.setups = join(stateDir, "setup");
  }

  /**
   * Makes the folders a run writes to and checks that they are writable folders. Throws an error
   * naming the path and the fix; called before a run is claimed, so a failure changes nothing.
   */
  check(): this {
    for (const dir of [
      this.stateDir,
      this.logs,
      this.exits,
      this.specs,
      this.pids,
      this.events,
      this.prompts,
      this.agents,
      this.decisions,
      this.setups,
    ]) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!lstatSync(dir).isDirectory()) throw new Error("it is not a folder");
        accessSync(dir, constants.W_OK | constants.X_OK);
      } catch (error) {
        throw stateError(dir, (error as NodeJS.ErrnoException).code === "EEXIST" ? new Error("it is a file, not a folder") : error);
      }
    }
    return this;
  }

  log(runId: string): string {
    return join(this.logs, `${runId}.log`);
  }

  exit(runId: string): string {
    return join(this.exits, `${runId}.json`);
  }

  fallbackExit(runId: string): string {
    return join(this.fallbackExits, `${runId}.json`);
  }

  spec(runId: string): string {
    return join(this.specs, `${runId}.json`);
  }

  pid(runId: string): string {
    return join(this.pids, `${runId}.json`);
  }

  settings(runId: string): string {
    return join(this.agents, `${runId}.settings.json`);
  }

  setupLog(taskId: string): string {
    return join(this.setups, `${taskId}.log`);
  }

  decision(runId: string): string {
    return join(this.decisions, `${runId}.json`);
  }

  /** What launcher.sh reads: the spec as quoted shell assignments (launch-script.ts). */
  launchScript(runId: string): string {
    return join(this.specs, `${runId}.sh`);
  }

  /** A headless run's stdin: its prompt. */
  input(runId: string): string {
    return join(this.prompts, `${runId}.in`);
  }

  /** An interactive prompt too long for an argument (agent-argv.ts). */
  prompt(runId: string): string {
    return join(this.prompts, `${runId}.md`);
  }

  eventsOf(runId: string): string {
    return join(this.events, `${runId}.jsonl`);
  }

  /**
   * Removes every file of an ended run (retention.ts). Its spec goes first: a spec without its
   * database row is a run to rebuild (run-recovery.ts), never the other way round.
   */
  forget(runId: string): void {
    const files = [this.spec(runId), this.launchScript(runId), this.log(runId), this.exit(runId), this.pid(runId), this.eventsOf(runId)];
    files.push(
      this.settings(runId),
      this.decision(runId),
      this.prompt(runId),
      this.input(runId),
      `${this.log(runId)}.cuts`,
      this.fallbackExit(runId),
    );
    for (const file of files) rmSync(file, { force: true });
    this.fallbackOfSpec.delete(runId);
  }

  /**
   * The run's exit record, or null while it has none (running, or gone without one). A record a
   * launcher had to leave in a fallback folder (ours, or the one its spec names, when it was
   * started from another environment) counts only from a private folder, and is copied into
   * `exits/` once that can take it: a fallback folder under /run/user goes at logout.
   */
  readExit(runId: string): ExitRecord | null {
    const primary = readRecord(this.exit(runId), ExitRecord);
    if (primary) return primary;
    for (const file of new Set([this.fallbackExit(runId), this.specFallback(runId)])) {
      if (!file || !isPrivate(dirname(file))) continue;
      const record = readRecord(file, ExitRecord);
      if (!record) continue;
      try {
        writeAtomically(this.exit(runId), record);
      } catch {
        // exits/ still cannot take it: the fallback stays the record.
      }
      return record;
    }
    return null;
  }

  /** The fallback exit path a run's spec names (memoized: a spec can hold a long prompt). */
  private specFallback(runId: string): string | null {
    if (!this.fallbackOfSpec.has(runId)) {
      const spec = readRecord(this.spec(runId), z.object({ exitFallback: z.string() }));
      this.fallbackOfSpec.set(runId, spec?.exitFallback ?? null);
    }
    return this.fallbackOfSpec.get(runId) ?? null;
  }

  /** Where the launcher said it runs, or null before it said so. */
  readStart(runId: string): StartRecord | null {
    return readRecord(this.pid(runId), StartRecord);
  }

  /** Ids of every run that has a spec: what the state folder knows, whatever the database says. */
  specIds(): string[] {
    try {
      return readdirSync(this.specs)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5));
    } catch {
      return [];
    }
  }
}

/**
 * `$XDG_RUNTIME_DIR` (private to the user by definition) or the temp folder, in a folder of ours
 * (0700). Run ids are unique, so runs of several repositories share it safely.
 */
export function fallbackExitDir(env: Record<string, string | undefined> = process.env): string {
  return join(env.XDG_RUNTIME_DIR || tmpdir(), `dispatch-${process.getuid?.() ?? "user"}`, "exits");
}

/**
 * Whether a folder and its parent are private to this user: ours, real folders (never a planted
 * link), 0700. The fallback exit folder lies in a shared place (/tmp without XDG_RUNTIME_DIR),
 * where another user could make it first and plant records.
 */
export function isPrivate(dir: string): boolean {
  try {
    return [dirname(dir), dir].every((d) => {
      const stat = lstatSync(d);
      return stat.isDirectory() && (!process.getuid || stat.uid === process.getuid()) && (stat.mode & 0o077) === 0;
    });
  } catch {
    return false;
  }
}

/** Makes a folder private to this user (see isPrivate), or throws. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!isPrivate(dir)) throw new Error(`${dir} is not a private folder of this user`);
}

/** Writes a record whole or not at all (fs/private-file.ts). */
export function writeAtomically(file: string, record: unknown): void {
  writePrivateFile(file, JSON.stringify(record));
}

/** A damaged file (a full disk, a crash before the rename existed) is no record. */
function readRecord<T extends z.ZodType>(file: string, schema: T): z.infer<T> | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const ExitRecord = z.object({
  code: z.number().int(),
  signal: z.string().nullable(),
  endedAt: z.string(),
  reason: z.string().nullable().default(null),
  result: RunResult.nullable().default(null),
  /** The engine has read what the exit means (exit-finish.ts): the log's result, --save-to. */
  finished: z.boolean().optional(),
});
export type ExitRecord = z.infer<typeof ExitRecord>;

/**
 * The launcher's first record: its pid and start time (see proc/liveness.ts); written again once
 * the agent runs, with the agent's (Claude Code's session registry names it by pid).
 */
export const StartRecord = z.object({
  pid: z.number().int().positive(),
  pidStart: z.string().nullable(),
  startedAt: z.string(),
  agentPid: z.number().int().positive().optional(),
  agentStart: z.string().nullable().optional(),
});
export type StartRecord = z.infer<typeof StartRecord>;

/** Run ids sort by start time and are safe in file names and tmux variables. */
export function newRunId(): string {
  const time = Date.now().toString(36).padStart(9, "0");
  const random = crypto.getRandomValues(new Uint8Array(5));
  return `r${time}${Buffer.from(random).toString("hex")}`;
}
