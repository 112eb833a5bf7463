import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { AGENTS, agentNamed } from "../agents/agent.ts";
import { DispatchError } from "../errors.ts";
import type { TaskProblem } from "../protocol/api.ts";
import { parseToml } from "../toml.ts";
import { look, modeItem, type TrustItem } from "../trust/repo-content.ts";
import { type Mode, ModeFile } from "./mode.ts";

/** Beside this file in the sources; under modes/ beside engine.js in a release bundle. */
const BUILTIN_DIR =
  [join(import.meta.dir, "builtin"), join(import.meta.dir, "modes", "builtin")].find((d) => existsSync(d)) ??
  join(import.meta.dir, "builtin");

function readMode(file: string, source: Mode["source"], text = readFileSync(file, "utf8")): Mode {
  const raw = parseToml(text) as Record<string, unknown>;
  if (raw.name === undefined) raw.name = basename(file, ".toml");
  const parsed = ModeFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join(".") || "(file)"}: ${issue?.message}`);
  }
  if (!agentNamed(parsed.data.agent))
    throw new Error(`agent: unknown agent ${parsed.data.agent} (agents: ${Object.keys(AGENTS).join(", ")})`);
  return { ...parsed.data, source, file };
}

function tomlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".toml"))
    .sort()
    .map((f) => join(dir, f));
}

/** A mode from the repository's `.dispatch/modes/`, with what the user would trust of it (and the bytes it was read from). */
export type RepoMode = { mode: Mode; item: TrustItem; bytes: Buffer };

/** A mode as listed: what would run, whether the repository's version is trusted, whether it replaces a built-in. */
export type ListedMode = { mode: Mode; trusted: boolean; overrides: boolean };

/**
 * Built-in modes, and the repo's `.dispatch/modes/*.toml`, which add or override by name once the
 * user trusts them (DESIGN §3): until then a repo mode that shares a built-in's name is ignored for
 * the built-in, and one that does not cannot run.
 */
export class ModeStore {
  private builtins = new Map<string, Mode>();
  private repoModes = new Map<string, RepoMode>();
  private problemList: TaskProblem[] = [];

  constructor(private readonly repo: string) {}

  load(): this {
    const builtins = new Map<string, Mode>();
    const repoModes = new Map<string, RepoMode>();
    const problems: TaskProblem[] = [];
    // A broken built-in is a bug in Dispatch itself: let it throw.
    for (const file of tomlFiles(BUILTIN_DIR)) {
      const mode = readMode(file, "builtin");
      builtins.set(mode.name, mode);
    }
    for (const file of tomlFiles(join(this.repo, ".dispatch", "modes"))) {
      const path = `.dispatch/modes/${basename(file)}`;
      try {
        // Read once, without following a link: the bytes parsed are the bytes trusted.
        const found = look(file);
        if (found?.kind !== "file") throw new Error(found?.kind === "link" ? "a symbolic link: not read" : "not a regular file");
        const mode = readMode(file, "repo", found.bytes.toString("utf8"));
        const item = modeItem(path, found.bytes, mode.name, mode.args, builtins.has(mode.name), this.repo);
        repoModes.set(mode.name, { mode, item, bytes: found.bytes });
      } catch (error) {
        const reason = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
        problems.push({ file: path, line: null, reason: reason ?? "invalid mode" });
      }
    }
    this.builtins = builtins;
    this.repoModes = repoModes;
    this.problemList = problems;
    return this;
  }

  /** What `name` runs, given what is trusted; `ignored`: the repository's version, left out until trusted. */
  resolve(name: string, trusted: (item: TrustItem) => boolean): { mode: Mode | null; ignored: RepoMode | null } {
    const repo = this.repoModes.get(name);
    if (repo && trusted(repo.item)) return { mode: repo.mode, ignored: null };
    return { mode: this.builtins.get(name) ?? null, ignored: repo ?? null };
  }

  /** The mode `name` runs as trust allows, or a clear error: not trusted yet, or no such mode. */
  runnable(name: string, trusted: (item: TrustItem) => boolean): { mode: Mode; ignored: RepoMode | null } {
    const { mode, ignored } = this.resolve(name, trusted);
    if (!mode && ignored) {
      throw new DispatchError(
        "untrusted",
        `${name} is this repository's own mode (${ignored.item.path}), which you have not trusted: review it with dispatch trust (or on the board) first`,
      );
    }
    if (!mode) {
      const known = this.all(trusted)
        .map((m) => m.mode.name)
        .join(", ");
      throw new DispatchError("unknown_mode", `unknown mode ${name} (modes: ${known})`);
    }
    return { mode, ignored };
  }

  all(trusted: (item: TrustItem) => boolean): ListedMode[] {
    const names = [...new Set([...this.builtins.keys(), ...this.repoModes.keys()])].sort();
    return names.map((name) => {
      const repo = this.repoModes.get(name);
      const builtin = this.builtins.get(name);
      const ok = repo ? trusted(repo.item) : true;
      // An untrusted replacement shows the built-in that runs instead; an untrusted new mode shows as what it is.
      const mode = repo && (ok || !builtin) ? repo.mode : (builtin as Mode);
      return { mode, trusted: ok, overrides: Boolean(repo && builtin) };
    });
  }

  /** The repository's modes, as items to trust. */
  items(): TrustItem[] {
    return [...this.repoModes.values()].map((r) => r.item);
  }

  /** A repository mode as it would run in `root` (a task's worktree): the files its args name read there. */
  itemIn(name: string, root: string): TrustItem | null {
    const repo = this.repoModes.get(name);
    if (!repo) return null;
    return modeItem(repo.item.path, repo.bytes, repo.mode.name, repo.mode.args, repo.item.overrides !== undefined, root);
  }

  problems(): TaskProblem[] {
    return this.problemList;
  }
}
