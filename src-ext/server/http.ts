import { DispatchError, errorBody, httpStatus } from "../errors.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/**
 * The one place that turns an error into an HTTP answer, and into one line of the server's log:
 * never a stack dump, never the token (requests are named by method and path only).
 */
export function errorResponse(error: unknown, req?: Request): Response {
  const status = httpStatus(error);
  let where = "";
  if (req) {
    const path = req.url.startsWith("http") ? req.url.replace(/^https?:\/\/[^/]*/, "") : req.url;
    where = ` ${req.method} ${path.split("?")[0]?.slice(0, 200)}`;
  }
  console.error(`dispatch: ${status}${where}: ${logLine(error)}`);
  return json(errorBody(error), status);
}

/** An error in one line: its code and message, and for a bug the place it was thrown. */
function logLine(error: unknown): string {
  if (error instanceof DispatchError) return `${error.code}: ${error.message}`;
  if (!(error instanceof Error)) return String(error);
  const at = error.stack
    ?.split("\n")
    .find((l) => l.trim().startsWith("at "))
    ?.trim();
  return `${error.name}: ${error.message}${at ? ` (${at})` : ""}`;
}

/** Reads a JSON body of at most 1 MiB; an absent or empty body is `undefined`. */
export async function readJson(req: Request): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of req.body) {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof DispatchError) throw error;
    // The client went away mid-body.
    throw new DispatchError("invalid_request", "the request body was cut off");
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
