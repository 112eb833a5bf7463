import { describe, expect, test } from "bun:test";
import { type HookEvent, type Known, nextKnown, parseHookLine, requestId, summarize } from "./claude-events.ts";

const start: Known = { activity: null, pending: null, sessionId: null };
const line = (event: HookEvent) => JSON.stringify({ session_id: "s1", ...event });
/** Feeds events one after the other, as the hook lines come. */
function replay(...events: HookEvent[]): Known {
  return events.reduce((known, event) => nextKnown(known, JSON.parse(line(event)), line(event)), start);
}

const bash = { hook_event_name: "PermissionRequest", tool_name: "Bash", tool_input: { command: "rm -rf build", description: "clean" } };

describe("Claude Code's hooks, read as activity (DESIGN §12, FACTS §1)", () => {
  test("a plain turn: starting, working, then waiting; the session id is recorded", () => {
    expect(replay({ hook_event_name: "SessionStart", source: "startup" })).toMatchObject({ activity: "starting", sessionId: "s1" });
    expect(replay({ hook_event_name: "SessionStart", source: "startup" }, { hook_event_name: "UserPromptSubmit" }).activity).toBe(
      "working",
    );
    expect(
      replay(
        { hook_event_name: "SessionStart", source: "startup" },
        { hook_event_name: "UserPromptSubmit" },
        { hook_event_name: "Stop", background_tasks: [] },
      ),
    ).toEqual({ activity: "waiting", pending: null, sessionId: "s1" });
  });

  test("a permission request: needs approval with the command; the late permission_prompt keeps it; the tool's end clears it", () => {
    const asked = replay({ hook_event_name: "PreToolUse", tool_name: "Bash" }, bash);
    expect(asked.activity).toBe("needs-approval");
    expect(asked.pending).toMatchObject({ kind: "approval", tool: "Bash", summary: "rm -rf build", id: requestId(line(bash)) });
    const repeated = nextKnown(asked, { hook_event_name: "Notification", notification_type: "permission_prompt" }, "x");
    expect(repeated).toEqual(asked);
    expect(nextKnown(asked, { hook_event_name: "PostToolUse", tool_name: "Bash" }, "y")).toMatchObject({
      activity: "working",
      pending: null,
    });
  });

  test("a question (AskUserQuestion, elicitation) needs input, with the question", () => {
    const ask = {
      hook_event_name: "PermissionRequest",
      tool_name: "AskUserQuestion",
      tool_input: { questions: [{ question: "Which colour?" }] },
    };
    expect(replay(ask)).toMatchObject({ activity: "needs-input", pending: { kind: "question", summary: "Which colour?" } });
    expect(replay({ hook_event_name: "Notification", notification_type: "elicitation_dialog", message: "Pick a server" })).toMatchObject({
      activity: "needs-input",
      pending: { summary: "Pick a server" },
    });
  });

  test("Stop with background tasks still running is working; idle_prompt confirms waiting", () => {
    expect(replay({ hook_event_name: "Stop", background_tasks: [{ status: "running" }] }).activity).toBe("working");
    expect(replay({ hook_event_name: "Notification", notification_type: "idle_prompt" }).activity).toBe("waiting");
  });

  test("StopFailure (an API error) is an error with its message, instead of waiting", () => {
    const failed = replay(
      { hook_event_name: "UserPromptSubmit" },
      { hook_event_name: "StopFailure", error: "unknown", last_assistant_message: "API Error: 400 bad" },
    );
    expect(failed).toMatchObject({ activity: "error", pending: { kind: "error", summary: "API Error: 400 bad" } });
  });

  test("/clear: a new session id; a resumed session waits for input", () => {
    const cleared = nextKnown(
      { activity: "waiting", pending: null, sessionId: "s1" },
      { hook_event_name: "SessionStart", source: "clear", session_id: "s2" },
      "z",
    );
    expect(cleared).toEqual({ activity: "waiting", pending: null, sessionId: "s2" });
    expect(replay({ hook_event_name: "SessionStart", source: "resume" }).activity).toBe("waiting");
  });

  test("events that say nothing of activity change nothing (SessionEnd: the exit record has the last word)", () => {
    const known: Known = { activity: "working", pending: null, sessionId: "s1" };
    for (const name of ["SessionEnd", "SubagentStop", "CwdChanged", "SomethingNew"]) {
      expect(nextKnown(known, { hook_event_name: name }, "l")).toEqual(known);
    }
  });

  test("lines that are not hook events are ignored; summaries say what a tool would do", () => {
    expect(parseHookLine('{"tmux":"client-attached"}')).toBeNull();
    expect(parseHookLine("{not json hook_event_name")).toBeNull();
    expect(parseHookLine(line({ hook_event_name: "Stop" }))?.hook_event_name).toBe("Stop");
    expect(summarize("Write", { file_path: "/w/notes.md", content: "x" })).toBe("/w/notes.md");
    expect(summarize("WebFetch", { url: "https://example.com" })).toBe("https://example.com");
  });
});
