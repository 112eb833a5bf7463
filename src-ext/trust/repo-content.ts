import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What a repository brings that can make Dispatch or Claude Code run something: the config keys
 * that choose a command, its own modes (their args and prompts reach the agent), and Claude Code's
 * project files (hooks run commands, MCP servers are commands, permission rules let tools run
 * unasked). Each is an item the user trusts by its exact content (VS Code's Workspace Trust,
 * direnv's `allow`): a changed file is a new item, untrusted again.
 */
export type TrustItem = {
  kind: "command" | "mode" | "claude";
  /** The file, relative to the repository. */
  path: string;
  /** What it would do, in a line, for the prompt. */
  what: string;
  /** sha256 of what is trusted: the file's bytes, or the command's argv. */
  hash: string;
  /** A mode that would replace the built-in of that name. */
  overrides?: string;
};

/** Claude Code's project files that run code or allow it (FACTS §3: all of them are loaded). */
export const CLAUDE_FILES = [".claude/settings.json", ".claude/settings.local.json", ".mcp.json"];

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function commandItem(command: string[]): TrustItem {
  return {
    kind: "command",
    path: "dispatch.config.toml",
    what: `agent.command = ${JSON.stringify(command)}`,
    hash: sha256(JSON.stringify(command)),
  };
}

export function modeItem(path: string, content: string, name: string, args: string[], builtin: boolean): TrustItem {
  const argsText = args.length ? `, args ${args.join(" ")}` : "";
  return {
    kind: "mode",
    path,
    what: `mode ${name}${argsText}`,
    hash: sha256(content),
    ...(builtin && { overrides: name }),
  };
}

/** Claude Code's project files present under `root` (the repository, or a task's worktree). */
export function claudeItems(root: string): TrustItem[] {
  const items: TrustItem[] = [];
  for (const path of CLAUDE_FILES) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(root, path));
    } catch {
      continue;
    }
    items.push({ kind: "claude", path, what: describeClaudeFile(path, bytes.toString("utf8")), hash: sha256(bytes) });
  }
  return items;
}

/** What a Claude Code project file would do, as far as it can be told: hooks, MCP servers, permissions. */
export function describeClaudeFile(path: string, text: string): string {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return "Claude Code project settings (not valid JSON)";
  }
  const parts: string[] = [];
  const servers = (json.mcpServers ?? {}) as Record<string, { command?: string; args?: string[]; url?: string }>;
  for (const [name, server] of Object.entries(servers)) {
    parts.push(`MCP server ${name}: ${server.command ? [server.command, ...(server.args ?? [])].join(" ") : (server.url ?? "?")}`);
  }
  const hooks = Object.keys((json.hooks ?? {}) as object);
  if (hooks.length) parts.push(`hooks on ${hooks.join(", ")}`);
  const allow = ((json.permissions as { allow?: string[] } | undefined)?.allow ?? []).slice(0, 5);
  if (allow.length) parts.push(`allows ${allow.join(", ")} without asking`);
  if (json.enableAllProjectMcpServers) parts.push("enables every project MCP server");
  const kind = path === ".mcp.json" ? "MCP servers" : "Claude Code project settings";
  return `${kind}${parts.length ? `: ${parts.join("; ")}` : ""}`;
}

/** One fingerprint for everything shown: trusting means trusting exactly what was looked at. */
export function fingerprint(items: TrustItem[]): string {
  return sha256(JSON.stringify(items.map((i) => [i.kind, i.path, i.hash]).sort()));
}
