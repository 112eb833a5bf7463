import { describe, expect, test } from "bun:test";
import { DispatchError } from "../errors.ts";
import { ARGV_PROMPT_MAX, agentArgv, needsPromptFile, parseExtras, saveToPath } from "./agent-argv.ts";
import { lastResultEvent } from "./result-event.ts";

const headless = { name: "code-review", interactive: false, args: ["-p", "--output-format", "stream-json", "--verbose"] };
const interactive = { name: "interactive", interactive: true, args: [] };

describe("agent argv", () => {
  test("interactive: args, extras, then -- and the prompt as one element", () => {
    const { argv, stdin } = agentArgv(["/bin/claude"], interactive, ["--add-dir", "x"], "do $(this); now");
    expect(argv).toEqual(["/bin/claude", "--add-dir", "x", "--", "do $(this); now"]);
    expect(stdin).toBeNull();
  });

  test("interactive, a prompt too long for an argument: a file to read first, its folder given to --add-dir", () => {
    const long = "x".repeat(ARGV_PROMPT_MAX + 1);
    expect(needsPromptFile(interactive, long)).toBe(true);
    expect(needsPromptFile(interactive, "x".repeat(ARGV_PROMPT_MAX))).toBe(false);
    expect(needsPromptFile(headless, long)).toBe(false);
    const { argv } = agentArgv(["/bin/claude"], interactive, [], long, "/state/prompts/r1.md");
    expect(argv).toEqual([
      "/bin/claude",
      "--add-dir",
      "/state/prompts",
      "--",
      `Read /state/prompts/r1.md first: it holds this task in full (${ARGV_PROMPT_MAX + 1} bytes, too long to pass as an argument).`,
    ]);
  });

  test("headless: the prompt goes on stdin, so a variadic extra cannot swallow it", () => {
    const { argv, stdin } = agentArgv(["claude"], headless, ["--allowedTools", "Read"], "review");
    expect(argv).toEqual(["claude", "-p", "--output-format", "stream-json", "--verbose", "--allowedTools", "Read"]);
    expect(stdin).toBe("review");
  });

  test("--save-to is Dispatch's: taken out of the extras and kept inside the worktree", () => {
    expect(parseExtras(["--model", "m", "--save-to", "out/review.md"], headless)).toEqual({
      agentExtras: ["--model", "m"],
      saveTo: "out/review.md",
    });
    expect(parseExtras(["--save-to=r.md"], headless).saveTo).toBe("r.md");
    expect(saveToPath("/w", "out/r.md")).toBe("/w/out/r.md");
    for (const bad of [
      ["--save-to"],
      ["--save-to", "../x"],
      ["--save-to", "/etc/x"],
      ["--save-to", "a/../../x"],
      ["--save-to="],
      ["--save-to", "."],
    ]) {
      expect(() => parseExtras(bad, headless)).toThrow(DispatchError);
    }
    expect(() => parseExtras(["--save-to", "x"], interactive)).toThrow("headless");
    expect(() => parseExtras(["a\0b"], headless)).toThrow("NUL");
  });
});

describe("the final result event", () => {
  test("the last result line wins; other lines and junk are ignored", () => {
    const log = [
      '{"type":"system","subtype":"init"}',
      '{"type":"result","subtype":"error_max_turns","is_error":true,"result":"old"}',
      'not json with "result"',
      '{"type":"result","subtype":"success","is_error":false,"result":"the answer","total_cost_usd":0.5,"num_turns":3,"duration_ms":10,"session_id":"s"}',
      "stderr noise",
      "",
    ].join("\n");
    expect(lastResultEvent(log)).toEqual({
      summary: { subtype: "success", isError: false, costUsd: 0.5, turns: 3, durationMs: 10, sessionId: "s", text: "the answer" },
      text: "the answer",
    });
    expect(lastResultEvent("plain text output\n")).toBeNull();
    // An API error (FACTS §6): `subtype` says success; the status and the reason say what happened.
    const failed =
      '{"type":"result","subtype":"success","is_error":true,"api_error_status":400,"terminal_reason":"api_error","result":"API Error: 400 bad"}';
    expect(lastResultEvent(failed)?.summary).toMatchObject({
      isError: true,
      apiErrorStatus: 400,
      terminalReason: "api_error",
      text: "API Error: 400 bad",
    });
  });
});
