import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOOK_EVENTS, hookSettings, recordCommand } from "./claude.ts";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the hook as Claude Code does: `/bin/sh -c CMD`, the event's line (newline-ended) on stdin. */
function runHook(command: string, env: Record<string, string>, line: string) {
  return Bun.spawnSync(["/bin/sh", "-c", command], { env: { ...process.env, ...env }, stdin: new TextEncoder().encode(`${line}\n`) });
}

describe("Claude Code's per-run hooks", () => {
  test("the recording hook appends each event as one line, prints nothing and exits 0, even when it cannot write", () => {
    dir = mkdtempSync(join(tmpdir(), "dispatch-hook-"));
    const events = join(dir, "run.jsonl");
    const big = JSON.stringify({ hook_event_name: "PostToolUse", tool_response: { stdout: "x".repeat(300_000) } });
    for (const line of ['{"hook_event_name":"UserPromptSubmit"}', big, '{"hook_event_name":"Stop"}']) {
      const run = runHook(recordCommand(), { DISPATCH_EVENTS: events }, line);
      expect([run.exitCode, run.stdout.toString(), run.stderr.toString()]).toEqual([0, "", ""]);
    }
    const lines = readFileSync(events, "utf8").split("\n");
    expect(lines.map((l) => l.slice(0, 40))).toEqual([
      '{"hook_event_name":"UserPromptSubmit"}',
      big.slice(0, 40),
      '{"hook_event_name":"Stop"}',
      "",
    ]);
    expect(lines[1]).toBe(big);
    const nowhere = runHook(recordCommand(), { DISPATCH_EVENTS: join(dir, "missing", "run.jsonl") }, "{}");
    expect([nowhere.exitCode, nowhere.stdout.toString(), nowhere.stderr.toString()]).toEqual([0, "", ""]);
  });

  test("the settings: our hooks stay on beside the user's, one recording hook per event, the approval hook on PermissionRequest", () => {
    const settings = JSON.parse(hookSettings());
    expect(settings.disableAllHooks).toBe(false);
    expect(Object.keys(settings.hooks)).toEqual(HOOK_EVENTS);
    const commands = (event: string) => settings.hooks[event][0].hooks.map((h: { command: string }) => h.command);
    expect(commands("Stop")).toEqual([recordCommand()]);
    expect(commands("PermissionRequest")).toEqual([recordCommand(), '"$DISPATCH_BUN" "$DISPATCH_APPROVE"']);
  });
});
