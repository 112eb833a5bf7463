import type { Mode } from "../modes/mode.ts";
import type { LaunchAgent } from "../runs/run-launch.ts";
import { prepareWorktree } from "../runs/worktree-prep.ts";
import type { AgentChoice, RepoTrust } from "../trust/repo-trust.ts";
import { type AgentDefinition, agentNamed } from "./agent.ts";

/**
 * The agent a mode runs and its program: for Claude Code, as trust allows (the user's own, the
 * repository's trusted `agent.command`, else `claude`); for another agent, the user's own program
 * (`bins`, from `DISPATCH_<NAME>_BIN`: config.ts) or its program name; the worktree made ready
 * first, with the repository's setup where trusted (`setupLog` keeps its output). `ignored`: what
 * trust left out, to tell the user.
 */
export function launchAgentFor(
  mode: Mode,
  trust: RepoTrust,
  bins: Record<string, string>,
  worktrees: { repo: string; setupLog: string; taskId: string; never: string[] },
): { launch: LaunchAgent; ignored: string[] } {
  const definition = agentNamed(mode.agent) as AgentDefinition;
  const choice: AgentChoice =
    definition.name === "claude" ? trust.agent() : { command: [bins[definition.name] || definition.program], claude: false, ignored: null };
  const repoMode = mode.source === "repo" ? mode.name : null;
  const prepare: LaunchAgent["prepare"] = (worktree) =>
    prepareWorktree({
      repo: worktrees.repo,
      never: worktrees.never,
      worktree,
      setup: trust.setup(worktree.path).command,
      logPath: worktrees.setupLog,
      taskId: worktrees.taskId,
    });
  const setupIgnored = trust.setup(null).ignored;
  return {
    launch: { definition, command: choice.command, inWorktree: (worktree) => trust.inWorktree(worktree, choice, repoMode), prepare },
    ignored: [...(choice.ignored ? [choice.ignored] : []), ...(setupIgnored ? [setupIgnored] : [])],
  };
}
