import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { TaskProblem } from "../protocol/api.ts";
import { parseToml } from "../toml.ts";
import { type Mode, ModeFile } from "./mode.ts";

/** Beside this file in the sources; under modes/ beside engine.js in a release bundle. */
const BUILTIN_DIR =
  [join(import.meta.dir, "builtin"), join(import.meta.dir, "modes", "builtin")].find((d) => existsSync(d)) ??
  join(import.meta.dir, "builtin");

function readMode(file: string, source: Mode["source"]): Mode {
  const raw = parseToml(readFileSync(file, "utf8")) as Record<string, unknown>;
  if (raw.name === undefined) raw.name = basename(file, ".toml");
  const parsed = ModeFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join(".") || "(file)"}: ${issue?.message}`);
  }
  return { ...parsed.data, source, file };
}

function tomlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".toml"))
    .sort()
    .map((f) => join(dir, f));
}

/** Built-in modes, then the repo's `.dispatch/modes/*.toml`, which add or override by name. */
export class ModeStore {
  private modes = new Map<string, Mode>();
  private problemList: TaskProblem[] = [];

  constructor(private readonly repo: string) {}

  load(): this {
    const modes = new Map<string, Mode>();
    const problems: TaskProblem[] = [];
    // A broken built-in is a bug in Dispatch itself: let it throw.
    for (const file of tomlFiles(BUILTIN_DIR)) {
      const mode = readMode(file, "builtin");
      modes.set(mode.name, mode);
    }
    for (const file of tomlFiles(join(this.repo, ".dispatch", "modes"))) {
      try {
        const mode = readMode(file, "repo");
        modes.set(mode.name, mode);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
        problems.push({ file: `.dispatch/modes/${basename(file)}`, line: null, reason: reason ?? "invalid mode" });
      }
    }
    this.modes = modes;
    this.problemList = problems;
    return this;
  }

  all(): Mode[] {
    return [...this.modes.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): Mode | undefined {
    return this.modes.get(name);
  }

  problems(): TaskProblem[] {
    return this.problemList;
  }
}
