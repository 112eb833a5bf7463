import { claude } from "./claude.ts";
import { codex } from "./codex.ts";

/**
 * What is specific to one agent CLI, behind one small shape, so a mode can name its agent
 * (`agent = "codex"` in its TOML; `claude` by default). Claude Code is followed through its hooks
 * (activity, approvals, resume); others are followed at process level: running, and how they ended.
 */

/** What a run gives an agent to set itself up with. */
export type RunContext = {
  runId: string;
  taskId: string;
  /** The session id a new session gets, or the one a resume continues. */
  sessionId: string;
  resume: boolean;
  /** Where the run's hook settings go, and where its hooks report and read decisions. */
  settingsFile: string;
  decisionsDir: string;
};

export type Prepared = {
  /** argv after the program and before the mode's own args. */
  args: string[];
  /** Added to the agent's environment (its hooks inherit it). */
  env: Record<string, string>;
  /** Written before the launch (0600). */
  files: Array<{ path: string; content: string }>;
};

export type AgentDefinition = {
  name: string;
  /** The program when nothing else is set. */
  program: string;
  /** The user's own binary: `DISPATCH_<NAME>_BIN`. */
  binEnv: string;
  /** How to install it, for the error when it is missing. */
  install: string;
  /** Dispatch follows what it does through hooks (and can answer its permission requests and resume it). */
  hooks: boolean;
  /** argv that switches the repository's own agent configuration off, until the user trusts it. */
  withoutProject: string[];
  prepare(run: RunContext): Prepared;
};

export const AGENTS: Record<string, AgentDefinition> = { claude, codex };

export function agentNamed(name: string): AgentDefinition | undefined {
  return Object.hasOwn(AGENTS, name) ? AGENTS[name] : undefined;
}
