import { isAbsolute, join, normalize, sep } from "node:path";
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
 * The agent's argv. Interactive: `claude [args] [extras] -- PROMPT` (the `--` keeps a variadic
 * extra such as `--add-dir` from swallowing the prompt). Headless: `claude -p … [extras]` with the
 * prompt on stdin, for the same reason (DESIGN §11).
 */
export function agentArgv(
  command: string[],
  mode: Pick<Mode, "interactive" | "args">,
  agentExtras: string[],
  prompt: string,
): { argv: string[]; stdin: string | null } {
  const base = [...command, ...mode.args, ...agentExtras];
  return mode.interactive ? { argv: [...base, "--", prompt], stdin: null } : { argv: base, stdin: prompt };
}
