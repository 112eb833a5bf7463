import { DispatchError, errorBody, httpStatus } from "../errors.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/** The one place that turns an error into an HTTP answer. */
export function errorResponse(error: unknown): Response {
  const status = httpStatus(error);
  // A known failure is one line in the server's log; only a bug gets its stack trace.
  if (status >= 500) console.error("dispatch:", error instanceof DispatchError ? `${error.code}: ${error.message}` : error);
  return json(errorBody(error), status);
}

/** Reads a JSON body of at most 1 MiB; an absent or empty body is `undefined`. */
export async function readJson(req: Request): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new DispatchError("invalid_json", "the request body is not valid JSON");
  }
}

function tooLarge(): DispatchError {
  return new DispatchError("body_too_large", `the request body is over ${MAX_BODY_BYTES} bytes`);
}
