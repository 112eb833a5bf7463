import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from "node:fs";
import { isAbsolute, join, normalize, sep } from "node:path";
import { visible } from "../protocol/describe.ts";

export { visible };

/**
 * What a repository brings that can make Dispatch or Claude Code run something: the config keys
 * that choose a command or where files go, its own modes (their args and prompts reach the agent),
 * and Claude Code's project files (hooks run commands, MCP servers are commands, permission rules
 * let tools run unasked). Each is an item the user trusts by its exact content (VS Code's
 * Workspace Trust, direnv's `allow`): a changed file is a new item, untrusted again. Files are
 * looked at without following links and never more than MAX_BYTES of them: the repository is the
 * attacker's, and so are its links and special files.
 */
export type TrustItem = {
  kind: "command" | "mode" | "claude" | "path";
  /** The file, relative to the repository. */
  path: string;
  /** What it would do, in a line, for the prompt (control and bidi characters made visible). */
  what: string;
  /** sha256 of what is trusted: the bytes, the argv and the files it names. */
  hash: string;
  /** A mode that would replace the built-in of that name. */
  overrides?: string;
};

/** Claude Code's settings files: each its own item, described by what it would do. */
export const CLAUDE_SETTINGS = [".claude/settings.json", ".claude/settings.local.json", ".mcp.json"];

/** A settings file or a script is far below this; anything bigger is hashed by its size only. */
const MAX_BYTES = 1024 * 1024;
/** The `.claude/` tree is hashed file by file; a tree beyond this many entries is one item anyway. */
const MAX_TREE_ENTRIES = 2000;

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** What is at `path`, without following a link: a file's bytes (bounded), a link's target, or nothing. */
export function look(
  path: string,
): { kind: "file"; bytes: Buffer } | { kind: "link"; target: string } | { kind: "other"; what: string } | null {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return null;
  }
  if (stat.isSymbolicLink()) {
    try {
      return { kind: "link", target: readlinkSync(path) };
    } catch {
      return { kind: "link", target: "?" };
    }
  }
  if (!stat.isFile()) return { kind: "other", what: stat.isDirectory() ? "a folder" : "not a regular file" };
  if (stat.size > MAX_BYTES) return { kind: "other", what: `a file of ${stat.size} bytes` };
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) return { kind: "other", what: "not a regular file" };
    const bytes = Buffer.alloc(Math.min(fstatSync(fd).size, MAX_BYTES));
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n <= 0) break;
      read += n;
    }
    return { kind: "file", bytes: bytes.subarray(0, read) };
  } finally {
    closeSync(fd);
  }
}

/** A fingerprint of what is at `path` (for hashing), and words for it. */
function lookHash(path: string): { hash: string; words: string } | null {
  const found = look(path);
  if (!found) return null;
  if (found.kind === "file") return { hash: sha256(found.bytes), words: "" };
  if (found.kind === "link") return { hash: sha256(`link:${found.target}`), words: `a symbolic link to ${found.target}` };
  return { hash: sha256(`other:${found.what}`), words: found.what };
}

/**
 * Files an argv names inside `root` (`./agent.sh`, `tools/review.json`, `--mcp-config=x.json`):
 * what they hold is part of what is trusted, since they run or configure what runs.
 */
function namedFiles(argv: string[], root: string): Array<{ path: string; hash: string }> {
  const found: Array<{ path: string; hash: string }> = [];
  for (const arg of argv) {
    const value = arg.startsWith("-") ? arg.split("=").slice(1).join("=") : arg;
    if (!value || isAbsolute(value) || value.includes("\0")) continue;
    const clean = normalize(value);
    if (clean === "." || clean.startsWith(`..${sep}`) || clean === "..") continue;
    const seen = lookHash(join(root, clean));
    if (seen) found.push({ path: clean, hash: seen.hash });
  }
  return found;
}

/**
 * A command of the repository's config (`agent.command`, `setup`), with the files it names under
 * `root` (the repository, or a task's worktree).
 */
export function commandItem(command: string[], root: string, key: "agent.command" | "setup" = "agent.command"): TrustItem {
  const files = namedFiles(command, root);
  return {
    kind: "command",
    path: "dispatch.config.toml",
    what: visible(`${key} = ${JSON.stringify(command)}${files.length ? ` (runs ${files.map((f) => f.path).join(", ")})` : ""}`),
    // The agent's command hashes as it always did, so what users trusted stays trusted.
    hash: sha256(JSON.stringify(key === "agent.command" ? [command, files] : [key, command, files])),
  };
}

/** A repository mode: its file's bytes and the files its args name under `root`. */
export function modeItem(path: string, bytes: Buffer, name: string, args: string[], builtin: boolean, root: string): TrustItem {
  const files = namedFiles(args, root);
  const argsText = args.length ? `, args ${args.join(" ")}` : "";
  return {
    kind: "mode",
    path: visible(path),
    what: visible(`mode ${name}${argsText}${files.length ? ` (reads ${files.map((f) => f.path).join(", ")})` : ""}`),
    hash: sha256(JSON.stringify([sha256(bytes), files])),
    ...(builtin && { overrides: name }),
  };
}

/** A config key that says where Dispatch reads or writes outside the usual places. */
export function pathItem(key: "tasks" | "worktrees" | "retention.runs" | "log.max", value: string, why: string): TrustItem {
  // `why` names a link's target: a link that points elsewhere later is another item.
  return {
    kind: "path",
    path: "dispatch.config.toml",
    what: visible(`${key} = ${JSON.stringify(value)}: ${why}`),
    hash: sha256(`${key}=${value}|${why}`),
  };
}

/**
 * Claude Code's project files under `root` (the repository, or a task's worktree): each settings
 * file, and everything else in `.claude/` (skills, agents, commands) as one item. A link or an
 * unreadable file is an item too: Claude Code follows links from the worktree, Dispatch does not.
 */
export function claudeItems(root: string): TrustItem[] {
  const items: TrustItem[] = [];
  for (const path of CLAUDE_SETTINGS) {
    const found = look(join(root, path));
    if (!found) continue;
    const what =
      found.kind === "file"
        ? describeClaudeFile(path, found.bytes.toString("utf8"))
        : found.kind === "link"
          ? `a symbolic link to ${found.target} (Claude Code would load what it points to)`
          : found.what;
    const hash = found.kind === "file" ? sha256(found.bytes) : sha256(`${found.kind}:${found.kind === "link" ? found.target : found.what}`);
    items.push({ kind: "claude", path, what: visible(what), hash });
  }
  const tree = claudeTree(root);
  if (tree) items.push(tree);
  return items;
}

/** Every other entry of `.claude/`, hashed by path and content (links by target), as one item. */
function claudeTree(root: string): TrustItem | null {
  const entries: Array<[string, string]> = [];
  const walk = (dir: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (entries.length >= MAX_TREE_ENTRIES) return;
      const relPath = `${rel}/${name}`;
      if (CLAUDE_SETTINGS.includes(relPath)) continue;
      const full = join(dir, name);
      let stat: ReturnType<typeof lstatSync>;
      try {
        stat = lstatSync(full);
      } catch {
        continue;
      }
      if (stat.isDirectory()) walk(full, relPath);
      else entries.push([relPath, lookHash(full)?.hash ?? "?"]);
    }
  };
  walk(join(root, ".claude"), ".claude");
  if (entries.length === 0) return null;
  const names = entries.map(([p]) => p.slice(".claude/".length));
  const shown = names.slice(0, 6).join(", ") + (names.length > 6 ? `, … (${names.length} files)` : "");
  return {
    kind: "claude",
    path: ".claude/",
    what: visible(`Claude Code project files (skills, agents, commands): ${shown}`),
    hash: sha256(JSON.stringify(entries)),
  };
}

/** Settings that run a command, or widen what runs unasked; anything else is named as unrecognised. */
const RUNS = ["statusLine", "apiKeyHelper", "awsCredentialExport", "awsAuthRefresh", "otelHeadersHelper", "fileSuggestion"];
const KNOWN = new Set([
  "hooks",
  "mcpServers",
  "permissions",
  "enableAllProjectMcpServers",
  "enabledMcpjsonServers",
  "disabledMcpjsonServers",
  "env",
  "enabledPlugins",
  "extraKnownMarketplaces",
  "model",
  "$schema",
  ...RUNS,
]);

/** What a Claude Code project file would do, as far as it can be told. */
export function describeClaudeFile(path: string, text: string): string {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return "Claude Code project settings (not valid JSON: what Claude Code makes of it is unknown)";
  }
  const parts: string[] = [];
  const servers = (json.mcpServers ?? {}) as Record<string, { command?: string; args?: string[]; url?: string }>;
  for (const [name, server] of Object.entries(servers)) {
    parts.push(`MCP server ${name}: ${server.command ? [server.command, ...(server.args ?? [])].join(" ") : (server.url ?? "?")}`);
  }
  const hooks = Object.keys((json.hooks ?? {}) as object);
  if (hooks.length) parts.push(`runs commands on ${hooks.join(", ")}`);
  for (const key of RUNS) if (json[key] !== undefined) parts.push(`runs ${key} ${JSON.stringify(json[key]).slice(0, 120)}`);
  const permissions = (json.permissions ?? {}) as { allow?: string[]; defaultMode?: string; additionalDirectories?: string[] };
  if (permissions.allow?.length) parts.push(`allows ${permissions.allow.slice(0, 8).join(", ")} without asking`);
  if (permissions.defaultMode) parts.push(`permission mode ${permissions.defaultMode}`);
  if (permissions.additionalDirectories?.length) parts.push(`opens ${permissions.additionalDirectories.join(", ")}`);
  if (json.enableAllProjectMcpServers) parts.push("enables every project MCP server");
  if (json.env) parts.push(`sets environment ${Object.keys(json.env as object).join(", ")}`);
  if (json.enabledPlugins || json.extraKnownMarketplaces) parts.push("installs or enables plugins");
  const unknown = Object.keys(json).filter((k) => !KNOWN.has(k));
  if (unknown.length) parts.push(`unrecognised keys ${unknown.join(", ")}`);
  const kind = path === ".mcp.json" ? "MCP servers" : "Claude Code project settings";
  return `${kind}${parts.length ? `: ${parts.join("; ")}` : ""}`;
}

/** One fingerprint for everything shown: trusting means trusting exactly what was looked at. */
export function fingerprint(items: TrustItem[]): string {
  return sha256(JSON.stringify(items.map((i) => [i.kind, i.path, i.hash]).sort()));
}
