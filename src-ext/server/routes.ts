import { existsSync } from "node:fs";
import { z } from "zod";
import type { Engine } from "../engine.ts";
import { DispatchError } from "../errors.ts";
import { ApproveBody, DispatchBody, TrustBody } from "../protocol/api.ts";
import type { RunOrigin } from "../protocol/states.ts";
import { CommitBody, MergeBody, RemoveBody } from "../protocol/worktree.ts";
import { VERSION } from "../version.ts";
import type { AnswerCache } from "./answer-cache.ts";
import { json, readJson } from "./http.ts";
import type { Auth } from "./security.ts";

export type RouteContext = { engine: Engine; cache: AnswerCache; req: Request; url: URL; auth: Auth; mode: string; id: string };
type Handler = (ctx: RouteContext) => Promise<Response> | Response;
/** `changes`: the route changes something, so a browser must prove intent (security.ts, checkIntent). */
/** `id-action`: `/{prefix}/{id}/{action}` (`/tasks/TASK-42/merge`). */
type Route = {
  methods: string[];
  prefix: string;
  target: "mode-id" | "id" | "id-action" | "none";
  action?: string;
  changes?: true;
  handler: Handler;
};

function originOf(ctx: RouteContext): RunOrigin {
  const client = ctx.req.headers.get("x-dispatch-client");
  if (client === "tray" || client === "ui" || client === "cli") return client;
  return ctx.auth.via === "cookie" ? "ui" : "api";
}

function parseBody(raw: unknown): DispatchBody {
  const parsed = DispatchBody.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join(".") || "body";
  const code = issue?.path[0] === "extras" ? "invalid_extras" : "invalid_request";
  const hint = issue?.path[0] === "extras" ? " (extras must be an array of strings)" : "";
  throw new DispatchError(code, `${where}: ${issue?.message}${hint}`);
}

/** A GET answered from memory while nothing changed (answer-cache.ts), keyed by its path and query. */
function cached(ctx: RouteContext, build: () => unknown): Response {
  return ctx.cache.respond(ctx.req, `${ctx.url.pathname}?${ctx.url.search}`, build);
}

/** A body checked against its shape; a wrong one is a 400 that says which field and what is expected. */
function bodyOf<T extends z.ZodTypeAny>(schema: T, raw: unknown, expected: string): z.infer<T> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DispatchError("invalid_request", `${issue?.path.join(".") || "body"}: ${issue?.message} (send ${expected})`);
}

const DiffQuery = z.object({
  scope: z.enum(["committed", "uncommitted"]).default("committed"),
  file: z.string().min(1).max(4096).nullable().default(null),
});

const Limit = z.coerce.number().int().min(1).max(1000).default(200);

/** Routes are three lines: validate, call the engine, shape the answer. */
export const ROUTES: Route[] = [
  {
    methods: ["POST"],
    prefix: "dispatch",
    target: "mode-id",
    changes: true,
    handler: async (ctx) => {
      const body = parseBody(await readJson(ctx.req));
      const result = await ctx.engine.dispatch(ctx.mode, ctx.id, body.extras, originOf(ctx), { resume: body.resume });
      return json(result, result.reused ? 200 : 201);
    },
  },
  { methods: ["GET"], prefix: "status", target: "mode-id", handler: (ctx) => cached(ctx, () => ctx.engine.status(ctx.mode, ctx.id)) },
  {
    methods: ["POST"],
    prefix: "approve",
    target: "mode-id",
    changes: true,
    handler: async (ctx) => {
      const parsed = ApproveBody.safeParse((await readJson(ctx.req)) ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DispatchError(
          "invalid_request",
          `${issue?.path.join(".") || "body"}: ${issue?.message} (send { "decision": "allow" | "deny", "message"?: string })`,
        );
      }
      return json(ctx.engine.approve(ctx.mode, ctx.id, parsed.data));
    },
  },
  {
    methods: ["GET", "POST"],
    prefix: "stop",
    target: "mode-id",
    changes: true,
    handler: async (ctx) => json(await ctx.engine.stop(ctx.mode, ctx.id)),
  },
  {
    methods: ["GET"],
    prefix: "logs",
    target: "mode-id",
    handler: (ctx) => {
      const run = ctx.engine.logRun(ctx.mode, ctx.id, ctx.url.searchParams.get("run") ?? undefined);
      if (!existsSync(run.logPath))
        throw new DispatchError("not_found", `the run ${run.runId} has no log: ${run.reason ?? "it did not start"}`);
      const from = Number(ctx.url.searchParams.get("from") ?? "0");
      const file = Bun.file(run.logPath);
      const body = Number.isInteger(from) && from > 0 ? file.slice(from) : file;
      return new Response(body, {
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-dispatch-run": run.runId },
      });
    },
  },
  {
    methods: ["POST"],
    prefix: "attach",
    target: "mode-id",
    changes: true,
    handler: async (ctx) => json((await ctx.engine.attach(ctx.mode, ctx.id)).now),
  },
  { methods: ["GET"], prefix: "trust", target: "none", handler: (ctx) => json(ctx.engine.trustStatus()) },
  {
    methods: ["POST"],
    prefix: "trust",
    target: "none",
    changes: true,
    handler: async (ctx) => {
      const parsed = TrustBody.safeParse((await readJson(ctx.req)) ?? {});
      if (!parsed.success) throw new DispatchError("invalid_request", `fingerprint: ${parsed.error.issues[0]?.message}`);
      return json(ctx.engine.trustRepo(parsed.data.fingerprint));
    },
  },
  { methods: ["POST"], prefix: "untrust", target: "none", changes: true, handler: (ctx) => json(ctx.engine.untrustRepo()) },
  { methods: ["GET"], prefix: "tasks", target: "none", handler: (ctx) => cached(ctx, () => ctx.engine.listTasks()) },
  { methods: ["GET"], prefix: "tasks", target: "id", handler: (ctx) => cached(ctx, () => ctx.engine.taskDetail(ctx.id)) },
  {
    methods: ["GET"],
    prefix: "tasks",
    target: "id-action",
    action: "worktree",
    handler: async (ctx) => json(await ctx.engine.work.review(ctx.id)),
  },
  {
    methods: ["GET"],
    prefix: "tasks",
    target: "id-action",
    action: "diff",
    handler: async (ctx) => {
      const query = DiffQuery.safeParse({ scope: ctx.url.searchParams.get("scope") ?? undefined, file: ctx.url.searchParams.get("file") });
      if (!query.success) throw new DispatchError("invalid_request", "scope is committed or uncommitted; file is a path the review lists");
      const text = await ctx.engine.work.diff(ctx.id, query.data);
      return new Response(text, { headers: { "content-type": "text/x-diff; charset=utf-8", "cache-control": "no-store" } });
    },
  },
  {
    methods: ["POST"],
    prefix: "tasks",
    target: "id-action",
    action: "merge",
    changes: true,
    handler: async (ctx) => {
      const body = bodyOf(MergeBody, await readJson(ctx.req), '{ "strategy": "merge" | "squash" | "rebase" }');
      return json(await ctx.engine.work.merge(ctx.id, body.strategy));
    },
  },
  {
    methods: ["POST"],
    prefix: "tasks",
    target: "id-action",
    action: "commit",
    changes: true,
    handler: async (ctx) => {
      const body = bodyOf(CommitBody, await readJson(ctx.req), '{ "message": "…" }');
      return json(await ctx.engine.work.commit(ctx.id, body.message));
    },
  },
  {
    methods: ["POST"],
    prefix: "tasks",
    target: "id-action",
    action: "pull-request",
    changes: true,
    handler: async (ctx) => json(await ctx.engine.work.pullRequest(ctx.id)),
  },
  {
    methods: ["POST"],
    prefix: "tasks",
    target: "id-action",
    action: "remove",
    changes: true,
    handler: async (ctx) => {
      const body = bodyOf(RemoveBody, await readJson(ctx.req), '{ "force"?: boolean, "deleteBranch"?: boolean }');
      return json(await ctx.engine.work.remove(ctx.id, body));
    },
  },
  { methods: ["GET"], prefix: "modes", target: "none", handler: (ctx) => json({ modes: ctx.engine.listModes() }) },
  {
    methods: ["GET"],
    prefix: "runs",
    target: "none",
    handler: (ctx) => {
      const limit = Limit.safeParse(ctx.url.searchParams.get("limit") ?? undefined);
      if (!limit.success) throw new DispatchError("invalid_request", "limit must be a whole number from 1 to 1000");
      return cached(ctx, () => ({ runs: ctx.engine.listRuns(ctx.url.searchParams.get("task"), limit.data) }));
    },
  },
];

/** `events`: how many pages follow /events (a desktop window that connected shows up here). */
export const HEALTH = (events: number) => json({ ok: true, version: VERSION, events });

/**
 * Finds the route for a path. `/dispatch/{mode}/{id}` takes everything after the mode as the id,
 * so `/dispatch/m/a/b` is an invalid id (400), not an unknown route.
 */
export function matchRoute(method: string, pathname: string): { route: Route; mode: string; id: string } | null {
  const segments = pathname.split("/").slice(1);
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    throw new DispatchError("invalid_request", "the path is not valid percent-encoding");
  }
  const [prefix, ...rest] = decoded;
  const candidates = ROUTES.filter((r) => r.prefix === prefix);
  if (candidates.length === 0) return null;
  // `/dispatch/{mode}/{id}` takes any number of segments and lets validation name what is wrong.
  const actionOf = (r: Route) => r.target === "id-action" && rest.length === 2 && rest[0] !== "" && rest[1] === r.action;
  const isAction = candidates.some(actionOf);
  const fitting = candidates.filter((route) => {
    if (route.target === "mode-id") return true;
    if (route.target === "none") return rest.length === 0 || (rest.length === 1 && rest[0] === "");
    if (route.target === "id-action") return actionOf(route);
    return !isAction && rest.length >= 1 && rest[0] !== "";
  });
  if (fitting.length === 0) return null;
  const route = fitting.find((r) => r.methods.includes(method));
  if (!route) {
    const allowed = [...new Set(fitting.flatMap((r) => r.methods))];
    throw new DispatchError("method_not_allowed", `${method} is not allowed on /${prefix} (use ${allowed.join(" or ")})`);
  }
  if (route.target === "none") return { route, mode: "", id: "" };
  if (route.target === "id") return { route, mode: "", id: rest.join("/") };
  if (route.target === "id-action") return { route, mode: "", id: rest[0] ?? "" };
  return { route, mode: rest[0] ?? "", id: rest.slice(1).join("/") };
}
