import { createHash } from "node:crypto";
import type { Pending } from "../protocol/api.ts";
import type { Activity } from "../protocol/states.ts";

/**
 * Claude Code's hook events, read as what the session is doing (DESIGN §12, FACTS §1): a pure
 * function from what is known and one event to what is known next. The traps measured with the
 * real CLI are here: `Stop` with background tasks is not the end of the turn; `StopFailure` comes
 * instead of `Stop` on an API error; `permission_prompt` arrives 6 s after the `PermissionRequest`
 * it repeats; `/clear` starts a new session id; approve, deny and Esc typed in the pane fire no
 * hook at all (the session registry closes that gap: claude-registry.ts).
 */

export type Known = { activity: Activity | null; pending: Pending | null; sessionId: string | null };

/** A hook's stdin, as far as Dispatch reads it. Unknown events and fields are ignored. */
export type HookEvent = {
  hook_event_name: string;
  session_id?: string;
  source?: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  notification_type?: string;
  message?: string;
  background_tasks?: Array<{ status?: string }>;
  last_assistant_message?: string;
  error?: string;
};

/** A request's id: the hash of the exact line the hook wrote, which the waiting approval hook hashes too. */
export function requestId(line: string): string {
  return createHash("sha256").update(line.trim()).digest("hex").slice(0, 16);
}

/** What a tool asks to do, in a line: the command, the file, the question. */
export function summarize(tool: string, input: Record<string, unknown> | undefined): string {
  const get = (key: string) => (typeof input?.[key] === "string" ? (input[key] as string) : null);
  if (tool === "AskUserQuestion") {
    const questions = (input?.questions as Array<{ question?: string }> | undefined) ?? [];
    return questions.map((q) => q.question ?? "").join(" / ") || "a question";
  }
  const said = get("command") ?? get("file_path") ?? get("path") ?? get("url") ?? get("pattern") ?? get("description");
  return said ?? JSON.stringify(input ?? {}).slice(0, 200);
}

function pendingOf(event: HookEvent, line: string): Pending {
  const tool = event.tool_name ?? "";
  return {
    id: requestId(line),
    kind: tool === "AskUserQuestion" ? "question" : "approval",
    tool,
    summary: summarize(tool, event.tool_input),
    input: event.tool_input ?? {},
  };
}

/** The next `Known` after `event` (whose exact line is `line`); the same object when nothing changes. */
export function nextKnown(known: Known, event: HookEvent, line: string): Known {
  const sessionId = event.session_id ?? known.sessionId;
  const to = (activity: Activity | null, pending: Pending | null = null): Known => ({ activity, pending, sessionId });
  switch (event.hook_event_name) {
    case "SessionStart":
      // A new session (or `/clear`'s new id): an argv prompt follows at once; a resume waits for input.
      return to(event.source === "startup" ? (known.activity ?? "starting") : "waiting");
    case "UserPromptSubmit":
    case "PreToolUse":
    case "PostToolUse":
    case "PostToolUseFailure":
    case "SubagentStart":
    case "PreCompact":
      return to("working");
    case "PermissionRequest": {
      const pending = pendingOf(event, line);
      return to(pending.kind === "question" ? "needs-input" : "needs-approval", pending);
    }
    case "Notification":
      switch (event.notification_type) {
        // 6 s late, and says less than the PermissionRequest before it: keep what it asked.
        case "permission_prompt":
          return known.pending ? { ...known, sessionId } : to("needs-approval", known.pending);
        case "agent_needs_input":
        case "elicitation_dialog":
          return to("needs-input", {
            id: requestId(line),
            kind: "question",
            tool: "",
            summary: event.message ?? "Claude needs your input",
          });
        case "idle_prompt":
          return to("waiting");
        default:
          return { ...known, sessionId };
      }
    case "Stop":
      // Background tasks (subagents) still run: the turn is not over.
      return to((event.background_tasks ?? []).some((t) => t.status !== "completed") ? "working" : "waiting");
    case "StopFailure": {
      const message = event.last_assistant_message ?? event.error ?? "the turn failed";
      return to("error", { id: requestId(line), kind: "error", tool: "", summary: message.slice(0, 500) });
    }
    default:
      // SessionEnd, SubagentStop, CwdChanged, …: the exit record, not a hook, says how a run ends.
      return { ...known, sessionId };
  }
}

/** Reads the hook lines of a run's event file (tmux's own lines are not Claude's). */
export function parseHookLine(line: string): HookEvent | null {
  if (!line.includes("hook_event_name")) return null;
  try {
    const event = JSON.parse(line) as HookEvent;
    return typeof event.hook_event_name === "string" ? event : null;
  } catch {
    return null;
  }
}
