import type { AgentDefinition } from "./agent.ts";

/**
 * OpenAI's Codex CLI, followed at process level: Dispatch knows it runs and how it ended, not what
 * it does (it has no hooks Dispatch reads). Proves the seam: nothing else of Dispatch knows it.
 */
export const codex: AgentDefinition = {
  name: "codex",
  program: "codex",
  binEnv: "DISPATCH_CODEX_BIN",
  install: "the Codex CLI (npm install -g @openai/codex)",
  hooks: false,
  withoutProject: [],
  prepare: () => ({ args: [], env: {}, files: [] }),
};
