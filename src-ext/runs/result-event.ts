import type { RunResult } from "../protocol/api.ts";

/** What the last `result` event of a `stream-json` log says: the real outcome, cost, turns. */
export type FinalResult = { summary: RunResult; text: string | null };

/**
 * Finds the last `{"type":"result",…}` line. Claude Code exits 1 for every kind of failure, so this
 * event is where the outcome is read from (DESIGN §11). Unknown event types are ignored.
 */
export function lastResultEvent(log: string): FinalResult | null {
  let end = log.length;
  while (end > 0) {
    const start = log.lastIndexOf("\n", end - 1) + 1;
    const line = log.slice(start, end).trim();
    end = start - 1;
    if (!line.startsWith("{") || !line.includes('"result"')) continue;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (event.type !== "result") continue;
    const num = (v: unknown) => (typeof v === "number" ? v : undefined);
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    const errors = Array.isArray(event.errors) ? event.errors.filter((e): e is string => typeof e === "string") : undefined;
    const text = str(event.result);
    return {
      summary: {
        subtype: str(event.subtype),
        isError: typeof event.is_error === "boolean" ? event.is_error : undefined,
        costUsd: num(event.total_cost_usd),
        turns: num(event.num_turns),
        durationMs: num(event.duration_ms),
        sessionId: str(event.session_id),
        apiErrorStatus: num(event.api_error_status),
        terminalReason: str(event.terminal_reason),
        ...(errors?.length && { errors: errors.slice(0, 5).map((e) => e.slice(0, 500)) }),
        ...(text !== undefined && { text: text.split("\n", 1)[0]?.slice(0, 500) }),
      },
      text: text ?? null,
    };
  }
  return null;
}
