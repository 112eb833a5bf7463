/** Readable items from `claude -p --output-format stream-json` lines. Pure: unit-tested. */
export type LogItem =
  | { kind: "init"; model: string; sessionId: string; cwd: string }
  | { kind: "text"; text: string }
  | { kind: "thinking"; text: string }
  | { kind: "tool"; name: string; input: string }
  | { kind: "tool-result"; text: string; isError: boolean }
  | { kind: "result"; ok: boolean; subtype: string; text: string; costUsd?: number; turns?: number; durationMs?: number }
  | { kind: "raw"; text: string };

type Block = { type?: string; text?: string; thinking?: string; name?: string; input?: unknown; content?: unknown; is_error?: boolean };

const MAX_FIELD = 4000;

function clip(text: string): string {
  return text.length > MAX_FIELD ? `${text.slice(0, MAX_FIELD)}… (${text.length - MAX_FIELD} more characters)` : text;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((c) => (typeof c === "object" && c && "text" in c ? String(c.text) : "")).join("\n");
  return content === undefined ? "" : JSON.stringify(content);
}

function toolInput(input: unknown): string {
  if (input && typeof input === "object") {
    const o = input as Record<string, unknown>;
    // The one field that says what a tool call does, where there is one.
    for (const key of ["command", "file_path", "path", "pattern", "url", "description", "prompt"]) {
      if (typeof o[key] === "string") return o[key] as string;
    }
  }
  return JSON.stringify(input);
}

/** One log line to zero or more items; a line that is not an event is shown raw. */
export function parseLine(line: string): LogItem[] {
  const trimmed = line.trim();
  if (!trimmed) return [];
  if (!trimmed.startsWith("{")) return [{ kind: "raw", text: line }];
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(trimmed);
  } catch {
    return [{ kind: "raw", text: line }];
  }
  switch (event.type) {
    case "system":
      if (event.subtype !== "init") return [];
      return [{ kind: "init", model: String(event.model ?? ""), sessionId: String(event.session_id ?? ""), cwd: String(event.cwd ?? "") }];
    case "assistant":
    case "user": {
      const message = event.message as { content?: Block[] | string } | undefined;
      const blocks = Array.isArray(message?.content) ? message.content : [];
      const items: LogItem[] = [];
      for (const block of blocks) {
        if (block.type === "text" && block.text) items.push({ kind: "text", text: clip(block.text) });
        else if (block.type === "thinking" && block.thinking) items.push({ kind: "thinking", text: clip(block.thinking) });
        else if (block.type === "tool_use")
          items.push({ kind: "tool", name: String(block.name ?? "tool"), input: clip(toolInput(block.input)) });
        else if (block.type === "tool_result")
          items.push({ kind: "tool-result", text: clip(contentText(block.content)), isError: block.is_error === true });
      }
      return items;
    }
    case "result":
      return [
        {
          kind: "result",
          ok: event.is_error !== true && event.subtype === "success",
          subtype: String(event.subtype ?? ""),
          text: clip(typeof event.result === "string" ? event.result : ""),
          costUsd: typeof event.total_cost_usd === "number" ? event.total_cost_usd : undefined,
          turns: typeof event.num_turns === "number" ? event.num_turns : undefined,
          durationMs: typeof event.duration_ms === "number" ? event.duration_ms : undefined,
        },
      ];
    default:
      // Unknown event types are ignored, as Claude Code's own docs advise.
      return [];
  }
}

/** Whether a log looks like stream-json (its first non-empty line is an event). */
export function looksLikeStreamJson(firstLine: string): boolean {
  return /^\s*\{"type":/.test(firstLine);
}
