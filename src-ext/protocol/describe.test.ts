import { describe, expect, test } from "bun:test";
import { dollars, needsUser, visible, visibleLines } from "./describe.ts";

describe("text from a repository, made safe to show", () => {
  test("escape sequences, line breaks and bidirectional overrides become visible", () => {
    expect(visible("rm -rf /\u001b[2K\rls")).toBe("rm -rf /\\u{1b}[2K\\u{d}ls");
    // "‮" reverses what follows: `echo safe` could be shown for `efas ohce`.
    expect(visible("echo \u202eefas")).toBe("echo \\u{202e}efas");
    expect(visible("a\nb")).toBe("a\\u{a}b");
    expect(visible("x".repeat(10), 4)).toBe("xxxx…");
  });

  test("a multi-line command keeps its lines, each made visible", () => {
    expect(visibleLines("cd /tmp\r\nrm \u202ex\n\u0007")).toBe("cd /tmp\nrm \\u{202e}x\n\\u{7}");
    expect(visibleLines("y".repeat(10), 6)).toBe("yyyyyy…");
  });

  test("why a run needs the user, or null", () => {
    const pending = { id: "1", kind: "approval" as const, tool: "Bash", summary: "ls", input: {} };
    expect(needsUser({ activity: "needs-approval", pending })).toBe("wants to run Bash");
    expect(needsUser({ activity: "needs-input", pending: null })).toBe("asks a question");
    expect(needsUser({ activity: "error", pending: null })).toBe("stopped on an error");
    expect(needsUser({ activity: "working", pending: null })).toBeNull();
    expect(needsUser({ activity: null, pending: null })).toBeNull();
  });
});

test("costs read as people read them", () => {
  expect(dollars(0.0123)).toBe("$0.0123");
  expect(dollars(0.5)).toBe("$0.5000");
  expect(dollars(12.345)).toBe("$12.35");
  expect(dollars(undefined)).toBe("");
});
