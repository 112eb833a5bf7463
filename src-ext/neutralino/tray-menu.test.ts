import { describe, expect, test } from "bun:test";
import type { RunInfo, TaskSummary } from "../protocol/api.ts";
import { parseTrayId, trayMenu } from "./tray-menu.ts";

const task = (id: string, runs: TaskSummary["runs"] = {}): TaskSummary => ({
  id,
  title: id,
  status: null,
  priority: null,
  phase: null,
  type: null,
  costUsd: null,
  tags: [],
  path: `${id}.md`,
  runs,
});
const run = (mode: string, taskId: string, headless: boolean): RunInfo => ({
  runId: `r-${mode}-${taskId}`,
  mode,
  taskId,
  session: `claude-${mode}-${taskId}`,
  headless,
  state: "running",
  exitCode: null,
  reason: null,
  pid: 1,
  startedAt: "",
  endedAt: null,
  origin: "ui",
  extras: [],
  worktree: null,
  branch: null,
  activity: null,
  pending: null,
  sessionId: null,
  resumedFrom: null,
  agent: "claude",
  result: null,
});

describe("tray menu", () => {
  test("recent tasks first, Attach only for interactive runs, Stop for every live run, at most 50 items", () => {
    const tasks = [
      task("A"),
      task("B", { interactive: { state: "finished", exitCode: 0, runId: "r2" } }),
      task("C", { "code-review": { state: "running", exitCode: null, runId: "r9" } }),
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

  test("item ids carry the action", () => {
    expect(parseTrayId("run:interactive:TASK-42")).toEqual({ kind: "run", mode: "interactive", id: "TASK-42" });
    expect(parseTrayId("stop:code-review:T")).toEqual({ kind: "stop", mode: "code-review", id: "T" });
    expect(parseTrayId("quit")).toEqual({ kind: "quit" });
    expect(parseTrayId("sep-1")).toBeNull();
    expect(parseTrayId("run:x")).toBeNull();
  });
});
