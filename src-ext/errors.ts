/**
 * The one error family. The engine throws these with a `code`; `httpStatus` and `exitCode`
 * are the only two places that decide what a code means to an edge. Never branch on messages.
 */
export type ErrorCode =
  | "invalid_id"
  | "invalid_mode"
  | "invalid_request"
  | "invalid_json"
  | "invalid_extras"
  | "body_too_large"
  | "unauthorized"
  | "forbidden"
  | "unknown_task"
  | "unknown_mode"
  | "not_found"
  | "method_not_allowed"
  | "not_a_repo"
  | "branch_in_use"
  | "worktree_failed"
  | "invalid_base"
  | "setup_failed"
  | "merge_conflict"
  | "would_lose_work"
  | "remote_failed"
  | "session_conflict"
  | "agent_not_found"
  | "terminal_missing"
  | "not_running"
  | "conflict"
  | "untrusted"
  | "config"
  | "state_unwritable"
  | "internal";

export class DispatchError extends Error {
  /** What the answer lists beside the message (the conflicted files, the work a removal would lose). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = "DispatchError";
    this.details = options?.details;
  }
}

const STATUS: Record<ErrorCode, number> = {
  invalid_id: 400,
  invalid_mode: 400,
  invalid_request: 400,
  invalid_json: 400,
  invalid_extras: 400,
  body_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  unknown_task: 404,
  unknown_mode: 404,
  not_found: 404,
  method_not_allowed: 405,
  not_a_repo: 409,
  branch_in_use: 409,
  session_conflict: 409,
  worktree_failed: 500,
  invalid_base: 409,
  setup_failed: 409,
  merge_conflict: 409,
  would_lose_work: 409,
  remote_failed: 502,
  agent_not_found: 500,
  terminal_missing: 500,
  not_running: 409,
  conflict: 409,
  untrusted: 403,
  config: 500,
  state_unwritable: 500,
  internal: 500,
};

export function httpStatus(error: unknown): number {
  return error instanceof DispatchError ? STATUS[error.code] : 500;
}

/** CLI exit codes (DESIGN §5): 2 bad usage or invalid id; 3 unknown task or mode; 1 other errors. */
export function exitCode(error: unknown): number {
  if (!(error instanceof DispatchError)) return 1;
  switch (error.code) {
    case "invalid_id":
    case "invalid_mode":
    case "invalid_request":
    case "invalid_json":
    case "invalid_extras":
      return 2;
    case "unknown_task":
    case "unknown_mode":
      return 3;
    default:
      return 1;
  }
}

/** The public face of an error: a 500 never leaks a stack trace or an internal message. */
export function errorBody(error: unknown): { error: { code: string; message: string } & Record<string, unknown> } {
  if (error instanceof DispatchError) return { error: { ...error.details, code: error.code, message: error.message } };
  return { error: { code: "internal", message: "internal error (see the server's log)" } };
}

/** A state-folder failure, with the path and what to do about it. */
export function stateError(path: string, error: unknown): DispatchError {
  return new DispatchError(
    "state_unwritable",
    `cannot use ${path}: ${describe(error)} (Dispatch keeps its state there: make it a writable folder of yours, or set DISPATCH_STATE_DIR)`,
    { cause: error },
  );
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
