/**
 * What following Claude Code through its hooks costs (issue 11, DESIGN §12):
 * - hook → /events: from the moment the recording hook starts to the `run.activity` a board
 *   receives over WS /events, against the same hook writing to a file that a bare fs.watch sees.
 *   Ours starts each hook as soon as the previous event arrived, which lands some writes in Bun's
 *   watch blind spot (fs/watch-settled.ts): those show in the p99, as SETTLE_MS. The baseline
 *   waits 5 ms between rounds so that its bare watcher loses none;
 * - a turn of the real Claude Code CLI (`claude -p` against the loopback stand-in, one tool call:
 *   UserPromptSubmit, PreToolUse, PostToolUse, Stop) with Dispatch's per-run hooks against none.
 */
import { mkdirSync, mkdtempSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hookSettings, recordCommand } from "../src-ext/agents/claude.ts";
import type { Engine } from "../src-ext/engine.ts";
import { RunFiles } from "../src-ext/runs/run-files.ts";
import { CLAUDE } from "../test/helpers/real-claude.ts";
import { startStandin } from "../test/helpers/standin.ts";

export type Spread = { median: number; p99: number };

export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { median: at(0.5), p99: at(0.99) };
}

/** Runs the recording hook as Claude Code does (`/bin/sh -c CMD`, the event on stdin). */
function runHook(eventsFile: string, line: string): void {
  const hook = Bun.spawn(["/bin/sh", "-c", recordCommand()], {
    env: { ...process.env, DISPATCH_EVENTS: eventsFile },
    stdin: new TextEncoder().encode(`${line}\n`),
    stdout: "ignore",
    stderr: "ignore",
  });
  hook.unref();
}

/** A turn's two events: the prompt (working) and its end (waiting), each line unique. */
function turnEvent(i: number, sessionId: string): { line: string; activity: string } {
  const stop = i % 2 === 1;
  const event = stop
    ? {
        hook_event_name: "Stop",
        session_id: sessionId,
        stop_hook_active: false,
        background_tasks: [],
        last_assistant_message: `reply ${i}`,
      }
    : { hook_event_name: "UserPromptSubmit", session_id: sessionId, prompt_id: `p${i}`, prompt: `prompt ${i}` };
  return { line: JSON.stringify(event), activity: stop ? "waiting" : "working" };
}

/**
 * Hook start → `run.activity` on WS /events, for a live interactive run of the fake agent (which
 * only waits for input): `n` events alternating working / waiting. Baseline: the same hook
 * appending to a file watched by fs.watch, start → the watcher's callback.
 */
export async function hookToEvents(engine: Engine, url: string, token: string, n = 200): Promise<{ ours: Spread; base: Spread }> {
  const run = await engine.dispatch("interactive", "TASK-42", [], "api");
  const eventsFile = new RunFiles(engine.config.stateDir).eventsOf(run.runId);
  const ws = new WebSocket(`${url.replace("http", "ws")}/events?token=${token}`);
  let expected: { activity: string; resolve: () => void } | null = null;
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data));
    if (expected && m.type === "run.activity" && m.run.runId === run.runId && m.run.activity === expected.activity) expected.resolve();
  };
  await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
  // The fake agent's own start events settle first: it waits for input.
  while (engine.status("interactive", "TASK-42").activity !== "waiting") await Bun.sleep(10);

  const ours: number[] = [];
  for (let i = 0; i < n; i++) {
    const { line, activity } = turnEvent(i, "bench");
    const seen = new Promise<void>((resolve) => {
      expected = { activity, resolve };
    });
    const t = performance.now();
    runHook(eventsFile, line);
    await seen;
    ours.push(performance.now() - t);
  }
  ws.close();
  await engine.stop("interactive", "TASK-42");

  const dir = mkdtempSync(join(tmpdir(), "dispatch-bench-hooks-"));
  const file = join(dir, "events.jsonl");
  writeFileSync(file, "");
  let notify: (() => void) | null = null;
  const watcher = watch(file, () => notify?.());
  const base: number[] = [];
  for (let i = 0; i < n; i++) {
    const seen = new Promise<void>((resolve) => {
      notify = resolve;
    });
    const t = performance.now();
    runHook(file, turnEvent(i, "bench").line);
    await seen;
    base.push(performance.now() - t);
    // A second change notice for the same write must not end the next round early.
    await Bun.sleep(5);
    notify = null;
  }
  watcher.close();
  rmSync(dir, { recursive: true, force: true });
  return { ours: spread(ours), base: spread(base) };
}

/**
 * One `claude -p` turn with a tool call, from the CLI's `system/init` line to its `result` line
 * (start-up excluded), `n` times with Dispatch's hook settings and `n` times without.
 */
export async function hookCostPerTurn(n = 7): Promise<{ ours: number; base: number } | string> {
  if (!(await Bun.file(CLAUDE).exists())) return `no Claude Code CLI at ${CLAUDE} (npm install)`;
  await using standin = await startStandin();
  const root = mkdtempSync(join(tmpdir(), "dispatch-bench-claude-"));
  try {
    const config = join(root, "config");
    const home = join(root, "home");
    const work = join(root, "work");
    for (const d of [config, home, work]) mkdirSync(d, { recursive: true });
    const first = JSON.stringify({ hasCompletedOnboarding: true, projects: { [work]: { hasTrustDialogAccepted: true } } });
    writeFileSync(join(config, ".claude.json"), first);
    writeFileSync(join(home, ".claude.json"), first);
    const settings = join(root, "settings.json");
    writeFileSync(settings, hookSettings());
    const env = {
      ...process.env,
      HOME: home,
      CLAUDE_CONFIG_DIR: config,
      ANTHROPIC_BASE_URL: standin.url,
      ANTHROPIC_API_KEY: "sk-ant-api03-standin-0123456789abcdefghij",
      DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      CLAUDECODE: "",
      DISPATCH_EVENTS: join(root, "events.jsonl"),
    };
    const turn = async (withHooks: boolean): Promise<number> => {
      const argv = [CLAUDE, "-p", "--output-format", "stream-json", "--verbose", "--allowedTools", "Bash(true)"];
      if (withHooks) argv.push("--settings", settings);
      // `--` ends the variadic --allowedTools before the prompt.
      const proc = Bun.spawn([...argv, "--", "USE_BASH true"], { cwd: work, env, stdout: "pipe", stderr: "ignore" });
      let init = 0;
      let end = 0;
      let buffer = "";
      for await (const chunk of proc.stdout) {
        buffer += new TextDecoder().decode(chunk);
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          const event = line.startsWith("{") ? (JSON.parse(line) as { type?: string; subtype?: string }) : {};
          if (!init && event.type === "system" && event.subtype === "init") init = performance.now();
          if (event.type === "result") end = performance.now();
        }
      }
      if ((await proc.exited) !== 0 || !init || !end) throw new Error(`claude -p did not finish a turn (hooks: ${withHooks})`);
      return end - init;
    };
    await turn(false);
    const ours: number[] = [];
    const base: number[] = [];
    // Interleaved, so a slow moment of the machine falls on both.
    for (let i = 0; i < n; i++) {
      base.push(await turn(false));
      ours.push(await turn(true));
    }
    return { ours: spread(ours).median, base: spread(base).median };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
