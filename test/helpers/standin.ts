import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ROOT } from "./repo.ts";

/** What the stand-in logged of one request: its parsed body comes from the dump beside the log. */
export type StandinRequest = { id: number; url: string; model?: string; nmsg: number; prompt: string; body: unknown };

export type Standin = {
  /** e.g. http://127.0.0.1:39123 */
  url: string;
  /** Where `USE_BASH` without a command puts its proof file, and the log. */
  dir: string;
  /** Every Messages request so far, in order. */
  requests(): StandinRequest[];
  [Symbol.asyncDispose](): Promise<void>;
};

/** The reply to a plain prompt, and after a tool ran. */
export const STANDIN_REPLY = "FAKE-REPLY-OK";
export const STANDIN_AFTER_TOOL = "DONE-AFTER-TOOL";

/**
 * The team's scripted loopback Messages API (test/fixtures/standin.cjs), for the real Claude Code
 * CLI: markers in the prompt choose its answer (`USE_BASH cmd`, `USE_ASK`, `LOOP`, `ERR400`, …).
 * It runs under node, as measured in FACTS.md, in its own folder.
 */
export async function startStandin(): Promise<Standin> {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-standin-"));
  const log = join(dir, "api.jsonl");
  const proc: Subprocess<"ignore", "pipe", "inherit"> = Bun.spawn(["node", join(ROOT, "test", "fixtures", "standin.cjs")], {
    env: { ...process.env, PORT: "0", STANDIN_DIR: dir, LOG: log, DUMP: dir },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!/listening 127\.0\.0\.1:\d+/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stand-in ended before it listened: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const port = /listening 127\.0\.0\.1:(\d+)/.exec(text)?.[1];
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    requests: () => {
      const bodies = new Set(readdirSync(dir));
      return readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((r) => r.phase === "req" && String(r.url).startsWith("/v1/messages") && !String(r.url).includes("count_tokens"))
        .map((r) => {
          const dump = `body-${r.id}.json`;
          let body: unknown = null;
          try {
            body = bodies.has(dump) ? JSON.parse(readFileSync(join(dir, dump), "utf8")) : null;
          } catch {}
          return { id: r.id, url: r.url, model: r.model, nmsg: r.nmsg, prompt: r.prompt ?? "", body };
        });
    },
    async [Symbol.asyncDispose]() {
      proc.kill();
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The text of every user message in a Messages request body (string or text-block content). */
export function userText(body: unknown): string {
  const messages = (body as { messages?: Array<{ role?: string; content?: unknown }> } | null)?.messages ?? [];
  return messages
    .filter((m) => m.role === "user")
    .flatMap((m) =>
      typeof m.content === "string"
        ? [m.content]
        : Array.isArray(m.content)
          ? m.content.map((c: { type?: string; text?: string }) => (c?.type === "text" && typeof c.text === "string" ? c.text : ""))
          : [],
    )
    .join("\n");
}
