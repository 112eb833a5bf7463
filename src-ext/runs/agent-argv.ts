import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { DispatchError } from "../errors.ts";
import type { Mode } from "../modes/mode.ts";

/** Extras Dispatch itself consumes; every other extra goes to the agent untouched. */
export type ParsedExtras = { agentExtras: string[]; saveTo: string | null };

/** Splits Dispatch's own `--save-to FILE` from the extras; checks FILE stays inside the worktree. */
export function parseExtras(extras: string[], mode: Pick<Mode, "interactive" | "name">): ParsedExtras {
  const agentExtras: string[] = [];
  let saveTo: string | null = null;
  for (let i = 0; i < extras.length; i++) {
    const extra = extras[i] as string;
    if (extra.includes("\0")) throw new DispatchError("invalid_extras", "an extra may not contain a NUL byte");
    let value: string | undefined;
    if (extra === "--save-to") {
      value = extras[++i];
      if (value === undefined) throw new DispatchError("invalid_extras", "--save-to needs a file name");
    } else if (extra.startsWith("--save-to=")) {
      value = extra.slice("--save-to=".length);
    } else {
      agentExtras.push(extra);
      continue;
    }
    if (mode.interactive) {
      throw new DispatchError("invalid_extras", `--save-to is for headless modes; ${mode.name} is interactive`);
    }
    saveTo = checkSaveTo(value);
  }
  return { agentExtras, saveTo };
}

function checkSaveTo(file: string): string {
  const clean = normalize(file);
  if (!file || isAbsolute(file) || clean === ".." || clean.startsWith(`..${sep}`) || clean === ".") {
    throw new DispatchError("invalid_extras", `--save-to ${JSON.stringify(file)}: give a file path inside the task's worktree`);
  }
  return clean;
}

export function saveToPath(worktree: string, saveTo: string | null): string | null {
  return saveTo === null ? null : join(worktree, saveTo);
}

/**
 * The longest prompt given to an interactive agent as an argument. Linux refuses a single
 * argument over 128 KiB (MAX_ARG_STRLEN: the exec fails with E2BIG); a longer prompt goes into a
 * file the agent is told to read first, with its folder given to `--add-dir` so reading it needs
 * no permission.
 */
export const ARGV_PROMPT_MAX = 64 * 1024;

/**
 * The agent's argv. Interactive: `claude [args] [extras] -- PROMPT` (the `--` keeps a variadic
 * extra such as `--add-dir` from swallowing the prompt), or, for a prompt over ARGV_PROMPT_MAX
 * written to `promptFile`, a short prompt that points to it. Headless: `claude -p … [extras]` with
 * the prompt on stdin, whatever its size, for the same reason (DESIGN §11).
 */
export function agentArgv(
  command: string[],
  mode: Pick<Mode, "interactive" | "args">,
  agentExtras: string[],
  /** null: none (a resumed interactive session shows itself and waits). */
  prompt: string | null,
  promptFile: string | null = null,
): { argv: string[]; stdin: string | null } {
  const base = [...command, ...mode.args, ...agentExtras];
  if (!mode.interactive) return { argv: base, stdin: prompt ?? RESUME_PROMPT };
  if (prompt === null) return { argv: base, stdin: null };
  if (promptFile === null) return { argv: [...base, "--", prompt], stdin: null };
  const pointer = `Read ${promptFile} first: it holds this task in full (${Buffer.byteLength(prompt)} bytes, too long to pass as an argument).`;
  return { argv: [...base, "--add-dir", dirname(promptFile), "--", pointer], stdin: null };
}

/** Whether an interactive prompt must go through a file (see ARGV_PROMPT_MAX). */
export function needsPromptFile(mode: Pick<Mode, "interactive">, prompt: string | null): boolean {
  return mode.interactive && prompt !== null && Buffer.byteLength(prompt) > ARGV_PROMPT_MAX;
}

/** What a resumed headless run is told: the session already holds the task. */
export const RESUME_PROMPT = "Continue with the task where you left off.";
