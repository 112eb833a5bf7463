import { describe, expect, test } from "bun:test";
import { parseHash } from "../../src-ext/protocol/pages.ts";
import { splitExtras } from "./extras.ts";
import { looksLikeStreamJson, parseLine } from "./stream-json.ts";

describe("stream-json rendering", () => {
  test("assistant text, tool calls, tool results and the final result", () => {
    expect(parseLine('{"type":"system","subtype":"init","model":"m","session_id":"s","cwd":"/w"}')).toEqual([
      { kind: "init", model: "m", sessionId: "s", cwd: "/w" },
    ]);
    expect(
      parseLine(
        '{"type":"assistant","message":{"content":[{"type":"text","text":"Hi"},{"type":"tool_use","name":"Bash","input":{"command":"ls -la"}}]}}',
      ),
    ).toEqual([
      { kind: "text", text: "Hi" },
      { kind: "tool", name: "Bash", input: "ls -la" },
    ]);
    expect(
      parseLine('{"type":"user","message":{"content":[{"type":"tool_result","content":[{"type":"text","text":"out"}],"is_error":true}]}}'),
    ).toEqual([{ kind: "tool-result", text: "out", isError: true }]);
    expect(
      parseLine(
        '{"type":"result","subtype":"success","is_error":false,"result":"Done","total_cost_usd":0.5,"num_turns":3,"duration_ms":1200}',
      ),
    ).toEqual([{ kind: "result", ok: true, subtype: "success", text: "Done", costUsd: 0.5, turns: 3, durationMs: 1200 }]);
    expect(parseLine('{"type":"result","subtype":"error_max_turns","is_error":true}')[0]).toMatchObject({ kind: "result", ok: false });
  });

  test("unknown events are ignored, non-JSON lines shown raw", () => {
    expect(parseLine('{"type":"system","subtype":"hook_started"}')).toEqual([]);
    expect(parseLine('{"type":"stream_event"}')).toEqual([]);
    expect(parseLine("fake-claude: a line on stderr")).toEqual([{ kind: "raw", text: "fake-claude: a line on stderr" }]);
    expect(parseLine("{not json")).toEqual([{ kind: "raw", text: "{not json" }]);
    expect(parseLine("   ")).toEqual([]);
    expect(looksLikeStreamJson('{"type":"system"}')).toBe(true);
    expect(looksLikeStreamJson("hello")).toBe(false);
  });
});

describe("extras field", () => {
  test("splits on spaces, keeps quoted words whole, never interprets anything", () => {
    expect(splitExtras('--save-to "my review.md" --model x')).toEqual(["--save-to", "my review.md", "--model", "x"]);
    expect(splitExtras("--a 'b c' $(id) ;")).toEqual(["--a", "b c", "$(id)", ";"]);
    expect(splitExtras('"say \\"hi\\""')).toEqual(['say "hi"']);
    expect(splitExtras("   ")).toEqual([]);
  });
});

describe("routes", () => {
  test("hash routes, with invalid names falling back to the list", () => {
    expect(parseHash("#/task/TASK-42")).toEqual({ name: "task", id: "TASK-42" });
    expect(parseHash("#/log/code-review/TASK-42")).toEqual({ name: "log", mode: "code-review", id: "TASK-42" });
    expect(parseHash("#/log/code-review/TASK-42/r0mwv95a3hea8bcb3a24")).toEqual({
      name: "log",
      mode: "code-review",
      id: "TASK-42",
      run: "r0mwv95a3hea8bcb3a24",
    });
    expect(parseHash("#/log/code-review/TASK-42/../x")).toEqual({ name: "log", mode: "code-review", id: "TASK-42" });
    expect(parseHash("#/task/%")).toEqual({ name: "list" });
    expect(parseHash("#/task/a.b")).toEqual({ name: "list" });
    expect(parseHash("")).toEqual({ name: "list" });
  });
});
