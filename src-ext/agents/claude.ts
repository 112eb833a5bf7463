import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AgentDefinition, RunContext } from "./agent.ts";

/** The approval hook, run by the same Bun as the engine (approval-hook.js in a release bundle). */
const APPROVAL_HOOK =
  [join(import.meta.dir, "approval-hook.ts"), join(import.meta.dir, "approval-hook.js")].find((f) => existsSync(f)) ??
  join(import.meta.dir, "approval-hook.ts");

/**
 * Every hook event Dispatch reads (FACTS §1); one recording hook on each. Not PreToolUse: it comes
 * within a turn that UserPromptSubmit already marked working, and would cost every tool call a hook.
 */
export const HOOK_EVENTS = [
  "SessionStart",
  "UserPromptSubmit",
  "PostToolUse",
  "PostToolUseFailure",
  "PermissionRequest",
  "Notification",
  "Stop",
  "StopFailure",
  "SubagentStart",
  "SubagentStop",
  "PreCompact",
  "SessionEnd",
];

/**
 * The recording hook: the event's stdin, one JSON line that Claude Code ends with a newline
 * (measured, 2.1.331), appended to the run's event file in one write (lines from a subagent's
 * hooks, which run alongside, never interleave), printing nothing (a SessionStart hook's output
 * would reach the model) and always exiting 0. Claude Code waits for every hook, so each costs a
 * turn its time: `dd` alone with a full block takes 2.1 ms a call here, against 2.6 ms with
 * `{ cat; echo; } |` before it and 1.0 ms for `sh -c true` (300 calls each; `npm run bench`
 * compares whole turns). Where GNU dd is not there, `cat` (a large line may then be written in
 * parts that interleave with a subagent's; the reader skips what it cannot parse).
 */
export function recordCommand(platform = process.platform): string {
  return platform === "linux"
    ? 'dd of="$DISPATCH_EVENTS" oflag=append conv=notrunc iflag=fullblock bs=1M status=none 2>/dev/null; exit 0'
    : 'cat >> "$DISPATCH_EVENTS" 2>/dev/null; exit 0';
}

/** A permission request waits this long for a decision from outside; then the pane's dialog alone decides. */
export const APPROVAL_TIMEOUT_S = 600;

/** The per-run settings (`--settings` adds to the user's own; `disableAllHooks: false` keeps ours on, FACTS §3). */
export function hookSettings(): string {
  const record = { type: "command", command: recordCommand() };
  const approve = { type: "command", command: '"$DISPATCH_BUN" "$DISPATCH_APPROVE"', timeout: APPROVAL_TIMEOUT_S };
  const hooks = Object.fromEntries(
    HOOK_EVENTS.map((event) => [event, [{ hooks: event === "PermissionRequest" ? [record, approve] : [record] }]]),
  );
  return `${JSON.stringify({ disableAllHooks: false, hooks }, null, 2)}\n`;
}

/**
 * Claude Code: a session id fixed up front (or the one a resume continues), the task id as the
 * session's name, and the per-run hook settings (DESIGN §12).
 */
export const claude: AgentDefinition = {
  name: "claude",
  program: "claude",
  binEnv: "DISPATCH_CLAUDE_BIN",
  install: "Claude Code (npm install -g @anthropic-ai/claude-code)",
  hooks: true,
  // The repository's hooks, MCP servers and permission rules stay off; the user's own load.
  withoutProject: ["--setting-sources", "user", "--strict-mcp-config"],
  prepare: (run: RunContext) => ({
    args: [
      ...(run.resume ? ["--resume", run.sessionId] : ["--session-id", run.sessionId]),
      "--name",
      run.taskId,
      "--settings",
      run.settingsFile,
    ],
    env: { DISPATCH_DECISIONS: run.decisionsDir, DISPATCH_BUN: process.execPath, DISPATCH_APPROVE: APPROVAL_HOOK },
    files: [{ path: run.settingsFile, content: hookSettings() }],
  }),
};
