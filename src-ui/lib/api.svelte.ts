import type {
  ApproveResult,
  AttachResult,
  DispatchResult,
  ErrorBody,
  ModeInfo,
  RunInfo,
  StatusResult,
  StopResult,
  TaskDetail,
  TasksResult,
  TrustStatus,
} from "../../src-ext/protocol/api.ts";
import type { CommitResult, MergeResult, PullRequestResult, RemoveResult, WorktreeReview } from "../../src-ext/protocol/worktree.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What the error body says besides code and message (a conflict's `files`, the work a removal would lose). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * The loopback API, typed from src-ext/protocol. In a browser the server's own page is
 * authenticated by its HttpOnly cookie; the desktop window passes the token it got from the
 * extension, sent as a bearer token.
 */
export class Api {
  base = $state("");
  token = $state<string | null>(null);
  /** True once the server said our credentials are not (or no longer) valid. */
  unauthorized = $state(false);

  constructor(base: string, token: string | null = null) {
    this.base = base.replace(/\/$/, "");
    this.token = token;
  }

  private headers(json: boolean): HeadersInit {
    const headers: Record<string, string> = { "x-dispatch-client": "ui" };
    if (json) headers["content-type"] = "application/json";
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  /** The answer when it is a success; otherwise an ApiError with the server's own message. */
  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      throw new ApiError(0, "offline", "Dispatch is not answering: is the server running?");
    }
    if (res.status === 401) this.unauthorized = true;
    if (!res.ok) {
      const err = (await res.json().catch(() => null)) as ErrorBody | null;
      const body: ErrorBody["error"] & Record<string, unknown> = err?.error ?? { code: "http", message: `${res.status} ${res.statusText}` };
      const { code, message, ...details } = body;
      throw new ApiError(res.status, code, message, details);
    }
    return res;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.send(method, path, body)).json()) as T;
  }

  tasks = () => this.request<TasksResult>("GET", "/tasks");
  task = (id: string) => this.request<TaskDetail>("GET", `/tasks/${encodeURIComponent(id)}`);
  modes = () => this.request<{ modes: ModeInfo[] }>("GET", "/modes").then((r) => r.modes);
  runs = (taskId: string) =>
    this.request<{ runs: RunInfo[] }>("GET", `/runs?task=${encodeURIComponent(taskId)}&limit=100`).then((r) => r.runs);
  status = (mode: string, id: string) => this.request<StatusResult>("GET", `/status/${mode}/${id}`);
  dispatch = (mode: string, id: string, extras: string[], resume = false) =>
    this.request<DispatchResult>("POST", `/dispatch/${mode}/${id}`, { extras, ...(resume && { resume }) });
  approve = (mode: string, id: string, decision: "allow" | "deny", message?: string, request?: string) =>
    this.request<ApproveResult>("POST", `/approve/${mode}/${id}`, { decision, ...(message && { message }), ...(request && { request }) });
  stop = (mode: string, id: string) => this.request<StopResult>("POST", `/stop/${mode}/${id}`);
  attach = (mode: string, id: string) => this.request<AttachResult>("POST", `/attach/${mode}/${id}`);
  trust = () => this.request<TrustStatus>("GET", "/trust");
  trustRepo = (fingerprint: string) => this.request<TrustStatus>("POST", "/trust", { fingerprint });
  review = (id: string) => this.request<WorktreeReview>("GET", `/tasks/${encodeURIComponent(id)}/worktree`);
  /** One file's unified diff: the branch's (`committed`) or the worktree's own (`uncommitted`). */
  diff = async (id: string, scope: "committed" | "uncommitted", file: string) =>
    (await this.send("GET", `/tasks/${encodeURIComponent(id)}/diff?scope=${scope}&file=${encodeURIComponent(file)}`)).text();
  merge = (id: string, strategy: MergeResult["strategy"]) =>
    this.request<MergeResult>("POST", `/tasks/${encodeURIComponent(id)}/merge`, { strategy });
  commitAll = (id: string, message: string) => this.request<CommitResult>("POST", `/tasks/${encodeURIComponent(id)}/commit`, { message });
  pullRequest = (id: string) => this.request<PullRequestResult>("POST", `/tasks/${encodeURIComponent(id)}/pull-request`);
  removeWorktree = (id: string, options: { force: boolean; deleteBranch: boolean }) =>
    this.request<RemoveResult>("POST", `/tasks/${encodeURIComponent(id)}/remove`, options);

  /** WebSocket URL on the same server; the token rides along only for bearer clients. */
  socketUrl(path: string, params: Record<string, string> = {}): string {
    const url = new URL(this.base + path, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (this.token) url.searchParams.set("token", this.token);
    return url.toString();
  }
}
