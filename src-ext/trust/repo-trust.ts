import { DispatchError } from "../errors.ts";
import type { ModeStore } from "../modes/mode-store.ts";
import type { TrustStatus } from "../protocol/api.ts";
import { claudeItems, commandItem, fingerprint, type TrustItem } from "./repo-content.ts";
import type { TrustStore } from "./trust-store.ts";

/** The agent a run starts, and whether it is Claude Code (then its project files can be switched off). */
export type AgentChoice = { command: string[]; claude: boolean };

/**
 * One repository's trust: what it brings (repo-content.ts), what the user accepted (trust-store.ts),
 * and what that means for a run. Nothing of the repository runs until trusted; until then
 * Dispatch uses its built-ins and says what it left out.
 */
export class RepoTrust {
  constructor(
    private readonly repo: string,
    private readonly repoCommand: string[] | null,
    private readonly userCommand: string[] | null,
    private readonly modes: ModeStore,
    private readonly store: TrustStore,
  ) {}

  /** Everything the repository brings that runs code, as it is now. */
  items(): TrustItem[] {
    return [...(this.repoCommand ? [commandItem(this.repoCommand)] : []), ...this.modes.items(), ...claudeItems(this.repo)];
  }

  readonly isTrusted = (item: TrustItem): boolean => this.store.isTrusted(this.repo, item);

  status(): TrustStatus {
    const items = this.items();
    const listed = items.map(({ kind, path, what, overrides }, i) => ({
      kind,
      path,
      what,
      trusted: this.isTrusted(items[i] as TrustItem),
      ...(overrides && { overrides }),
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
   * `agent.command`, else `claude`. `ignored` says what was left out.
   */
  agent(): AgentChoice & { ignored: string | null } {
    if (this.userCommand) return { command: this.userCommand, claude: true, ignored: null };
    if (this.repoCommand) {
      if (this.isTrusted(commandItem(this.repoCommand))) return { command: this.repoCommand, claude: false, ignored: null };
      return { command: ["claude"], claude: true, ignored: "this repository's agent.command (not trusted: dispatch trust)" };
    }
    return { command: ["claude"], claude: true, ignored: null };
  }

  /** Whether Claude Code's project files in a task's worktree are all trusted (the agent can change them there). */
  claudeFilesTrusted(worktree: string): boolean {
    return claudeItems(worktree).every(this.isTrusted);
  }
}
