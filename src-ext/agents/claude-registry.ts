import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Known } from "./claude-events.ts";

/**
 * Claude Code's own session registry (FACTS §7): every running `claude` keeps
 * `<CLAUDE_CONFIG_DIR>/sessions/<pid>.json` with `status` busy, idle or waiting, rewritten on each
 * change. It fills the gaps the hooks leave: approve, deny or Esc typed in the pane fire no hook
 * at all. It is undocumented, so it is used only where it is there, matched by the agent's pid and
 * its start time (`procStart`), and only to correct what the hooks left waiting for the user.
 */
export type RegistryEntry = { pid: number; procStart?: string; status?: string; waitingFor?: string | null; sessionId?: string };

export function registryDir(env: Record<string, string | undefined> = process.env): string {
  return join(env.CLAUDE_CONFIG_DIR || join(homedir(), ".claude"), "sessions");
}

/** The entry of the agent with this pid and start time; `partial` while the file is being rewritten (not JSON yet). */
export function readRegistry(dir: string, pid: number, procStart: string | null): RegistryEntry | "partial" | null {
  let text: string;
  try {
    text = readFileSync(join(dir, `${pid}.json`), "utf8");
  } catch {
    return null;
  }
  let entry: RegistryEntry;
  try {
    entry = JSON.parse(text) as RegistryEntry;
  } catch {
    return "partial";
  }
  if (entry.pid !== pid) return null;
  if (procStart !== null && entry.procStart !== undefined && String(entry.procStart) !== procStart) return null;
  return entry;
}

/**
 * What the registry corrects: a request the hooks still show as waiting for the user, that the
 * user answered in the pane (busy: approved, the tool runs; idle: denied or Esc).
 */
export function closeGap(known: Known, entry: RegistryEntry): Known {
  const waitsForUser = known.activity === "needs-approval" || known.activity === "needs-input";
  if (!waitsForUser) return known;
  if (entry.status === "busy") return { ...known, activity: "working", pending: null };
  if (entry.status === "idle") return { ...known, activity: "waiting", pending: null };
  return known;
}
