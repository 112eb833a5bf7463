import type { Bus } from "../events.ts";

/** Distinct answers kept (a path and its query each); past this the cache starts again (a client walking /runs?limit=1…1000). */
const MAX_ANSWERS = 512;

type Answer = { body: string; etag: string };

/**
 * GET answers kept as the bytes they were sent as, until the engine says anything changed (every
 * change to what they show is an engine event: a run's transition or activity, a task file, a
 * task's work, trust). The board fetches again after each event: when nothing it shows changed,
 * its browser's revalidation costs a 304 (the ETag is the body's hash, so a server restarted
 * with the same state answers 304 too).
 */
export class AnswerCache {
  private readonly answers = new Map<string, Answer>();

  constructor(bus: Bus) {
    bus.onAny(() => this.answers.clear());
  }

  respond(req: Request, key: string, build: () => unknown): Response {
    let answer = this.answers.get(key);
    if (!answer) {
      const body = JSON.stringify(build());
      answer = { body, etag: `"${Bun.hash(body).toString(36)}"` };
      if (this.answers.size >= MAX_ANSWERS) this.answers.clear();
      this.answers.set(key, answer);
    }
    // no-cache: a browser may keep it, but asks each time (and gets a 304 while it holds).
    const headers = { etag: answer.etag, "cache-control": "no-cache" };
    if (req.headers.get("if-none-match") === answer.etag) return new Response(null, { status: 304, headers });
    return new Response(answer.body, { headers: { ...headers, "content-type": "application/json; charset=utf-8" } });
  }
}
