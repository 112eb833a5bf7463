import { describe, expect, test } from "bun:test";
import { run, task } from "./test-runs.ts";
import { parseTrayId, trayMenu } from "./tray-menu.ts";

describe("tray menu", () => {
  test("recent tasks first, Attach only for interactive runs, Stop for every live run, at most 50 items", () => {
    const tasks = [
      task("A"),
      task("B", { interactive: { state: "finished", exitCode: 0, runId: "r2", activity: null } }),
      task("C", { "code-review": { state: "running", exitCode: null, runId: "r9", activity: null } }),
    ];
    const items = trayMenu(tasks, [run("code-review", "C", true), run("interactive", "B", false)]);
    expect(items.map((i) => i.text)).toEqual([
      "Open Dispatch",
      "-",
      "Run interactive on C",
      "Run interactive on B",
      "Run interactive on A",
      "-",
      "Stop claude-code-review-C",
      "Attach claude-interactive-B",
      "Stop claude-interactive-B",
      "-",
      "Quit",
    ]);
    const many = trayMenu(
      Array.from({ length: 10 }, (_, i) => task(`T${i}`)),
      Array.from({ length: 40 }, (_, i) => run("interactive", `T${i}`, false)),
    );
    expect(many.length).toBe(50);
    expect(many.at(-1)?.id).toBe("quit");
    expect(new Set(many.map((i) => i.id)).size).toBe(50);
  });

  test("runs that need the user come first, with what they ask and Allow / Deny; ended runs with a session can be resumed", () => {
    const asking = run("interactive", "T42", false, {
      activity: "needs-approval",
      pending: { id: "p1", kind: "approval", tool: "Bash", summary: "rm -rf build" },
    });
    const question = run("code-review", "T7", true, {
      activity: "needs-input",
      pending: { id: "p2", kind: "question", tool: "", summary: "Which colour?" },
    });
    const ended = run("interactive", "T1", false, { state: "finished", sessionId: "s1" });
    const items = trayMenu([task("T42"), task("T7"), task("T1")], [asking, question, ended]);
    expect(items.slice(0, 8).map((i) => [i.text, i.isDisabled ?? false])).toEqual([
      ["Open Dispatch (2 need you)", false],
      ["-", false],
      ["T42 wants to run Bash: rm -rf build", true],
      ["    Allow Bash", false],
      ["    Deny", false],
      ["-", false],
      ["T7 asks a question: Which colour?", true],
      ["-", false],
    ]);
    expect(parseTrayId(items[3]?.id as string)).toEqual({ kind: "allow", mode: "interactive", id: "T42", request: "p1" });
    expect(parseTrayId(items[4]?.id as string)).toEqual({ kind: "deny", mode: "interactive", id: "T42", request: "p1" });
    expect(items.map((i) => i.text)).toContain("Resume interactive on T1");
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  });

  test("item ids carry the action", () => {
    expect(parseTrayId("run:interactive:TASK-42")).toEqual({ kind: "run", mode: "interactive", id: "TASK-42" });
    expect(parseTrayId("stop:code-review:T")).toEqual({ kind: "stop", mode: "code-review", id: "T" });
    expect(parseTrayId("quit")).toEqual({ kind: "quit" });
    expect(parseTrayId("sep-1")).toBeNull();
    expect(parseTrayId("run:x")).toBeNull();
    expect(parseTrayId("attach:interactive:T#4")).toEqual({ kind: "attach", mode: "interactive", id: "T" });
  });
});
