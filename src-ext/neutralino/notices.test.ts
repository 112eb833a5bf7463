import { describe, expect, test } from "bun:test";
import { endedNotice, needsUserNotice } from "./notices.ts";
import { run } from "./test-runs.ts";

const PENDING = { id: "p1", kind: "approval" as const, tool: "Bash", summary: "Bash: rm -rf build" };

describe("desktop notices", () => {
  test("an interactive run asking to run a tool: which task and why; a click raises its terminal; Allow and Deny answer it", () => {
    const notice = needsUserNotice(run("interactive", "TASK-42", false, { activity: "needs-approval", pending: PENDING }));
    expect(notice).toMatchObject({
      title: "TASK-42: wants to run Bash",
      body: "interactive: Bash: rm -rf build",
      actions: [
        { key: "default", label: "Show the terminal" },
        { key: "allow", label: "Allow" },
        { key: "deny", label: "Deny" },
      ],
      on: {
        default: { kind: "attach", mode: "interactive", id: "TASK-42" },
        allow: { kind: "allow", mode: "interactive", id: "TASK-42", request: "p1" },
        deny: { kind: "deny", mode: "interactive", id: "TASK-42", request: "p1" },
      },
    });
  });

  test("a headless run has no terminal: a click opens its task in the window; a question has no Allow", () => {
    const notice = needsUserNotice(run("code-review", "TASK-7", true, { activity: "needs-input" }));
    expect(notice?.title).toBe("TASK-7: asks a question");
    expect(notice?.actions.map((a) => a.key)).toEqual(["default"]);
    expect(notice?.on.default).toEqual({ kind: "open", hash: "#/task/TASK-7" });
  });

  test("nothing to tell when the run does not need the user; an ended headless run opens its own log", () => {
    expect(needsUserNotice(run("interactive", "TASK-42", false, { activity: "working" }))).toBeNull();
    expect(endedNotice(run("interactive", "TASK-42", false, { state: "finished", exitCode: 0 }))).toBeNull();
    const ended = endedNotice(
      run("code-review", "TASK-7", true, { runId: "rmk2x9", state: "failed", exitCode: 1, reason: "API error 400" }),
    );
    expect(ended).toMatchObject({ title: "TASK-7: code-review failed with exit code 1", body: "API error 400" });
    expect(ended?.on.default).toEqual({ kind: "open", hash: "#/log/code-review/TASK-7/rmk2x9" });
  });
});
