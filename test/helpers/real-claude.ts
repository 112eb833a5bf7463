// The REAL Claude Code CLI (the devDependency), offline: it talks to the loopback stand-in for the
// Messages API (ANTHROPIC_BASE_URL) and lives in a private HOME and config folder, so the user's
// ~/.claude is never read or written and nothing leaves the machine.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./repo.ts";
import type { Standin } from "./standin.ts";
import type { ServerHandle, World } from "./world.ts";

export const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");
const API_KEY = "sk-ant-api03-standin-0123456789abcdefghij";

/** The world's server running the real CLI against `standin`, with a HOME that trusts the task's worktree. */
export async function realClaudeServer(
  world: World,
  standin: Standin,
  options: { task?: string; trusted?: string[]; env?: Record<string, string> } = {},
): Promise<{ server: ServerHandle; worktree: string }> {
  const home = join(world.repo.root, "home");
  const worktree = join(world.repo.worktrees, options.task ?? "TASK-42");
  mkdirSync(home, { recursive: true });
  // Skips the first-run dialogs: onboarding, "do you trust this folder?" (for the worktree and for
  // every --add-dir folder), "use this API key?". Claude Code reads it from its config folder
  // (CLAUDE_CONFIG_DIR, this world's own) when that is set, else from HOME.
  const config = world.env().CLAUDE_CONFIG_DIR as string;
  mkdirSync(config, { recursive: true });
  const first = JSON.stringify({
    hasCompletedOnboarding: true,
    projects: Object.fromEntries([worktree, ...(options.trusted ?? [])].map((dir) => [dir, { hasTrustDialogAccepted: true }])),
    customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
  });
  writeFileSync(join(home, ".claude.json"), first);
  writeFileSync(join(config, ".claude.json"), first);
  const server = await world.server({
    DISPATCH_CLAUDE_BIN: CLAUDE,
    HOME: home,
    ANTHROPIC_BASE_URL: standin.url,
    ANTHROPIC_API_KEY: API_KEY,
    DISABLE_TELEMETRY: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    // Not "inside another Claude Code session" when the tests themselves run in one.
    CLAUDECODE: "",
    ...options.env,
  });
  return { server, worktree };
}

/** Ends whatever a failed test left running, before the world goes. */
export async function stopAll(server: ServerHandle | undefined, task = "TASK-42"): Promise<void> {
  if (!server) return;
  for (const mode of ["code-review", "doc-gen", "interactive"])
    await server.api(`/stop/${mode}/${task}`, { method: "POST" }).catch(() => {});
}
