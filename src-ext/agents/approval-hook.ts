/**
 * Claude Code's PermissionRequest hook for a Dispatch run: it waits (bounded) for a decision given
 * from outside the pane (the board, the tray, `dispatch approve|deny`, POST /approve) and answers
 * Claude with it (FACTS §2: the dialog closes and the tool runs, or the denial goes to the model).
 * It gives up silently (no output: the pane's dialog stays in charge) when the user answers in the
 * pane first (a later hook line appears in the run's event file), or when the wait runs out.
 * A question (AskUserQuestion) is answered in the session: it is left alone.
 *
 * The decision is `$DISPATCH_DECISIONS/<run>.json`: `{ id, behavior: "allow" | "deny", message? }`,
 * `id` the request's (the hash of the hook's stdin line, as the engine computes it from the same
 * line in the event file). Started as `bun approval-hook.ts` with the hook's JSON on stdin.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { type SettledWatcher, watchSettled } from "../fs/watch-settled.ts";
import { parseHookLine, requestId } from "./claude-events.ts";

/** A little under the hook's own timeout (APPROVAL_TIMEOUT_S): give up before Claude kills us. */
const WAIT_MS = 590_000;

type Decision = { id: string; behavior: "allow" | "deny"; message?: string };

function readDecision(file: string, id: string): Decision | null {
  try {
    const decision = JSON.parse(readFileSync(file, "utf8")) as Decision;
    return decision.id === id && (decision.behavior === "allow" || decision.behavior === "deny") ? decision : null;
  } catch {
    return null;
  }
}

/** Whether the event file holds a hook line after our request's: then the session moved on without us. */
function movedOn(eventsFile: string, id: string): boolean {
  let text: string;
  try {
    const size = statSync(eventsFile).size;
    // The tail is enough: our line was written moments ago.
    const from = Math.max(0, size - 256 * 1024);
    const buffer = Buffer.alloc(size - from);
    const fd = openSync(eventsFile, "r");
    readSync(fd, buffer, 0, buffer.length, from);
    closeSync(fd);
    text = buffer.toString("utf8");
  } catch {
    return false;
  }
  const lines = text.split("\n").filter(Boolean);
  // The last one: the same request asked twice (a second turn) is the same line.
  const at = lines.findLastIndex((l) => requestId(l) === id);
  if (at < 0) return false;
  return lines.slice(at + 1).some((l) => {
    const event = parseHookLine(l);
    // The late repeat of this very request says nothing new.
    return event !== null && !(event.hook_event_name === "Notification" && event.notification_type === "permission_prompt");
  });
}

function answer(decision: Decision): void {
  const out =
    decision.behavior === "allow" ? { behavior: "allow" } : { behavior: "deny", message: decision.message || "Denied from Dispatch" };
  process.stdout.write(`${JSON.stringify({ hookSpecificOutput: { hookEventName: "PermissionRequest", decision: out } })}\n`);
}

async function main(): Promise<void> {
  const line = (await new Response(Bun.stdin.stream()).text()).trim();
  const event = parseHookLine(line);
  const runId = process.env.DISPATCH_RUN_ID;
  const decisions = process.env.DISPATCH_DECISIONS;
  const eventsFile = process.env.DISPATCH_EVENTS;
  if (!event || event.tool_name === "AskUserQuestion" || !runId || !decisions || !eventsFile) return;
  const id = requestId(line);
  const file = join(decisions, `${runId}.json`);
  await new Promise<void>((resolve) => {
    const watchers: SettledWatcher[] = [];
    const finish = () => {
      for (const w of watchers) w.close();
      clearTimeout(timer);
      resolve();
    };
    const look = () => {
      const decision = readDecision(file, id);
      if (decision) {
        answer(decision);
        finish();
      } else if (movedOn(eventsFile, id)) {
        finish();
      }
    };
    const timer = setTimeout(finish, WAIT_MS);
    try {
      if (existsSync(decisions)) watchers.push(watchSettled(decisions, {}, (_e, name) => name === basename(file) && look()));
      watchers.push(watchSettled(eventsFile, {}, () => look()));
    } catch {
      // Nothing to watch: the timeout ends the wait.
    }
    look();
  });
}

await main().catch(() => undefined);
// Always 0: a failing hook must never block Claude (exit 2 would).
process.exit(0);
