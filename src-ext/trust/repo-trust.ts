import { lstatSync, readlinkSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import { DispatchError } from "../errors.ts";
import type { ModeStore } from "../modes/mode-store.ts";
import type { TrustStatus } from "../protocol/api.ts";
import { claudeItems, commandItem, fingerprint, pathItem, type TrustItem, visible } from "./repo-content.ts";
import type { TrustStore } from "./trust-store.ts";

/** The agent a run starts, and whether it is Claude Code (then its project files can be switched off). */
export type AgentChoice = { command: string[]; claude: boolean; ignored: string | null };

/** What the repository's config asks for, as written. */
export type RepoSettings = {
  command: string[] | null;
  tasks: string | null;
  worktrees: string | null;
  setup: string[] | null;
  /** `retention.runs` and `log.max` as written (null: not set). */
  limits?: { keptRuns: number | null; logMax: number | null };
};

/** The limits a run's records live under, as trust allows (below the defaults only once trusted). */
export type Limits = { keptRuns: number; logMax: number; ignored: string[] };

/**
 * Where tasks are read and worktrees made, as trust allows, and what was left out. `tasksRefused`:
 * the tasks folder itself may not be read (the default `tasks` is a link out of the repository).
 */
export type Paths = { tasksDir: string; tasksRefused: string | null; worktreesDir: string; ignored: string[] };

/**
 * One repository's trust: what it brings (repo-content.ts), what the user accepted (trust-store.ts),
 * and what that means for a run. Nothing of the repository runs, and nothing is written where it
 * points, until trusted; until then Dispatch uses its built-ins and says what it left out. At a
 * dispatch the same is checked again in the task's worktree, where the files really run from.
 */
export class RepoTrust {
  constructor(
    private readonly repo: string,
    private readonly settings: RepoSettings,
    private readonly userCommand: string[] | null,
    private readonly defaults: { tasksDir: string; worktreesDir: string; keptRuns: number; logMax: number },
    private readonly modes: ModeStore,
    private readonly store: TrustStore,
  ) {}

  /** Everything the repository brings that runs code or places files, as it is now. */
  items(): TrustItem[] {
    return [
      ...(this.settings.command ? [commandItem(this.settings.command, this.repo)] : []),
      ...(this.settings.setup ? [commandItem(this.settings.setup, this.repo, "setup")] : []),
      ...this.pathItems(),
      ...this.modes.items(),
      ...claudeItems(this.repo),
    ];
  }

  readonly isTrusted = (item: TrustItem): boolean => this.store.isTrusted(this.repo, item);

  /**
   * `tasks` is the repository's business while it stays inside the repository; a folder outside,
   * or reached through a link (a committed `tasks -> /`), is read only once trusted. `worktrees`
   * anywhere but the default is where checkouts get written (`~/.vim/pack/…/start` runs them).
   */
  private pathItems(): TrustItem[] {
    const items: TrustItem[] = [];
    const tasks = this.settings.tasks ?? "tasks";
    const outside = this.escapes(tasks);
    if (outside) items.push(pathItem("tasks", tasks, outside));
    if (this.settings.worktrees !== null) items.push(pathItem("worktrees", this.settings.worktrees, WORKTREES_WHY));
    items.push(...this.limitItems().map((l) => l.item));
    return items;
  }

  /** Why a path from the repository leaves it (outside, or through a link), or null when it stays inside. */
  private escapes(value: string): string | null {
    const full = resolve(this.repo, value);
    const rel = relative(this.repo, full);
    if (isAbsolute(value) || rel === ".." || rel.startsWith(`..${sep}`)) return "a folder outside the repository";
    let at = this.repo;
    for (const part of rel.split(sep).filter(Boolean)) {
      at = join(at, part);
      try {
        if (lstatSync(at).isSymbolicLink()) return `${relative(this.repo, at)} is a symbolic link to ${readlinkSync(at)}`;
      } catch {
        return null;
      }
    }
    return null;
  }

  paths(): Paths {
    const ignored: string[] = [];
    let tasksDir = this.defaults.tasksDir;
    let tasksRefused: string | null = null;
    const tasks = this.settings.tasks ?? "tasks";
    const why = this.escapes(tasks);
    if (!why || this.isTrusted(pathItem("tasks", tasks, why))) {
      tasksDir = resolve(this.repo, tasks);
    } else {
      ignored.push(`this repository's tasks folder ${visible(tasks)} (${why}; not trusted: dispatch trust)`);
      if (this.settings.tasks === null || this.escapes("tasks"))
        tasksRefused = `${why}: not read until you trust the repository (dispatch trust)`;
    }
    let worktreesDir = this.defaults.worktreesDir;
    const worktrees = this.settings.worktrees;
    if (worktrees !== null) {
      if (this.isTrusted(pathItem("worktrees", worktrees, WORKTREES_WHY))) worktreesDir = resolve(this.repo, worktrees);
      else ignored.push(`this repository's worktrees = ${visible(JSON.stringify(worktrees))} (not trusted: dispatch trust)`);
    }
    return { tasksDir, tasksRefused, worktreesDir, ignored };
  }

  /** `retention.runs` or `log.max` lower than the defaults: they delete the user's run records and logs sooner. */
  private limitItems(): Array<{ key: "keptRuns" | "logMax"; value: number; item: TrustItem }> {
    const limits = this.settings.limits;
    const found: Array<{ key: "keptRuns" | "logMax"; value: number; item: TrustItem }> = [];
    if (limits?.keptRuns != null && limits.keptRuns < this.defaults.keptRuns) {
      found.push({
        key: "keptRuns",
        value: limits.keptRuns,
        item: pathItem("retention.runs", String(limits.keptRuns), "forgets your older runs and their logs sooner"),
      });
    }
    if (limits?.logMax != null && limits.logMax < this.defaults.logMax) {
      found.push({ key: "logMax", value: limits.logMax, item: pathItem("log.max", String(limits.logMax), "cuts your runs' logs sooner") });
    }
    return found;
  }

  /** The limits in force: the repository's where they keep as much as the defaults or more, or once trusted. */
  limits(): Limits {
    const limits: Limits = {
      keptRuns: this.settings.limits?.keptRuns ?? this.defaults.keptRuns,
      logMax: this.settings.limits?.logMax ?? this.defaults.logMax,
      ignored: [],
    };
    for (const { key, item } of this.limitItems()) {
      if (this.isTrusted(item)) continue;
      limits[key] = this.defaults[key];
      limits.ignored.push(
        `this repository's ${key === "keptRuns" ? "retention.runs" : "log.max"} (lower than the default; not trusted: dispatch trust)`,
      );
    }
    return limits;
  }

  status(): TrustStatus {
    const items = this.items();
    const listed = items.map((item) => ({
      kind: item.kind,
      path: item.path,
      what: item.what,
      trusted: this.isTrusted(item),
      ...(item.overrides && { overrides: item.overrides }),
    }));
    const trusted = listed.every((i) => i.trusted);
    return {
      repo: this.repo,
      trusted,
      changed: !trusted && this.store.everTrusted(this.repo),
      fingerprint: fingerprint(items),
      items: listed,
      file: this.store.file,
    };
  }

  /** Trusts what the user was shown: refused when the content changed since (the fingerprint differs). */
  trust(shown: string): TrustStatus {
    const items = this.items();
    if (fingerprint(items) !== shown) {
      throw new DispatchError(
        "conflict",
        "the repository's code changed since it was shown: look at it again (dispatch trust, or reload the board)",
      );
    }
    this.store.trust(this.repo, items);
    return this.status();
  }

  revoke(): TrustStatus {
    this.store.revoke(this.repo);
    return this.status();
  }

  /**
   * The agent a run starts: the user's own (DISPATCH_CLAUDE_BIN), else the repository's trusted
   * `agent.command`, else `claude`. It is Claude Code when it is the user's, or named `claude`.
   */
  agent(): AgentChoice {
    if (this.userCommand) return { command: this.userCommand, claude: true, ignored: null };
    const command = this.settings.command;
    if (command) {
      if (this.isTrusted(commandItem(command, this.repo)))
        return { command, claude: basename(command[0] ?? "") === "claude", ignored: null };
      return { command: ["claude"], claude: true, ignored: "this repository's agent.command (not trusted: dispatch trust)" };
    }
    return { command: ["claude"], claude: true, ignored: null };
  }

  /**
   * The repository's `setup` for a new worktree, checked where it runs: trusted in the repository
   * and the same in the worktree (the files it names), else not run, and `ignored` says why.
   */
  setup(worktree: string | null): { command: string[] | null; ignored: string | null } {
    const command = this.settings.setup;
    if (!command) return { command: null, ignored: null };
    if (!this.isTrusted(commandItem(command, this.repo, "setup")))
      return { command: null, ignored: "this repository's setup (not trusted: dispatch trust)" };
    if (worktree !== null && !this.isTrusted(commandItem(command, worktree, "setup")))
      throw new DispatchError(
        "untrusted",
        "what this repository's setup runs differs in the task's worktree from what you trusted: review it with dispatch trust",
      );
    return { command, ignored: null };
  }

  /**
   * The same checks in the task's worktree, where the agent runs: the files a trusted command or
   * mode names must be the ones trusted (a branch may differ, the agent may have changed them), and
   * Claude Code's project files there decide whether they are switched off.
   */
  inWorktree(worktree: string, agent: AgentChoice, repoMode: string | null): { restrict: boolean } {
    const changed = (what: string) =>
      new DispatchError("untrusted", `${what} differs in the task's worktree from what you trusted: review it with dispatch trust`);
    if (agent.command === this.settings.command && !this.isTrusted(commandItem(agent.command, worktree))) {
      throw changed("what this repository's agent.command runs");
    }
    if (repoMode) {
      const item = this.modes.itemIn(repoMode, worktree);
      if (item && !this.isTrusted(item)) throw changed(`a file that mode ${repoMode} names`);
    }
    return { restrict: agent.claude && !claudeItems(worktree).every(this.isTrusted) };
  }
}

const WORKTREES_WHY = "task worktrees are checked out there instead of beside the repository";
