import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import { AGENTS } from "./agents/agent.ts";
import { DispatchError, describe } from "./errors.ts";
import { findRepo as findRepoWith } from "./repo-root.ts";
import { DEFAULT_LOG_MAX } from "./runs/log-cap.ts";
import { DEFAULT_KEPT_RUNS } from "./runs/retention.ts";
import { parseToml } from "./toml.ts";

/** The repository `start` is in (repo-root.ts). */
export const findRepo = (start: string): string => findRepoWith(start, existsSync);

/** `dispatch.config.toml` at the repo root; every key optional (DESIGN §7). */
const ConfigFile = z
  .object({
    tasks: z.string().min(1).optional(),
    worktrees: z.string().min(1).optional(),
    branch: z
      .string()
      .regex(/\{id\}/, "must contain {id}")
      .optional(),
    terminal: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    agent: z
      .object({ command: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional() })
      .strict()
      .optional(),
    /** The branch task work lands on (a task's own `base` comes first); default: the main worktree's branch. */
    base: z.string().min(1).optional(),
    /** A run's log cap (runs/log-cap.ts): bytes, or a size such as "256 MiB". */
    log: z
      .object({ max: z.union([z.number().int(), z.string()]).optional() })
      .strict()
      .optional(),
    /** How many ended runs each task keeps, with their logs (runs/retention.ts). */
    retention: z
      .object({ runs: z.number().int().min(1).max(100000).optional() })
      .strict()
      .optional(),
    /** A program (and its arguments) run once in each new worktree, once the repository is trusted. */
    setup: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .strict();

export type Config = {
  /** The git repository that holds the tasks. */
  repo: string;
  /** The tasks folder in use: the default, or the repository's own `tasks` where trust allows (trust/). */
  tasksDir: string;
  /** Folder that holds one worktree per task: the default, or the repository's own `worktrees` once trusted. */
  worktreesDir: string;
  /** The repository's `tasks` and `worktrees` values, as written (null when not set). */
  repoTasks: string | null;
  repoWorktrees: string | null;
  /** Branch name template, `{id}` replaced by the task id. */
  branchTemplate: string;
  stateDir: string;
  /**
   * The user's own agent programs by agent name: `DISPATCH_<NAME>_BIN` (agents/). Claude Code's,
   * when set, comes before a trusted `agent.command`, else `claude`.
   */
  agentBins: Record<string, string>;
  /** The repository's `agent.command`: it runs only once the user trusts it (trust/). */
  repoAgentCommand: string[] | null;
  /** The repository's `setup`: run once in a new worktree, only once the user trusts it (trust/). */
  repoSetup: string[] | null;
  /** A run's log may grow to this many bytes (config `log.max`, as trust allows: trust/); past it, its middle is cut. */
  logMax: number;
  /** Ended runs each task keeps (config `retention.runs`, as trust allows). */
  keptRuns: number;
  /** The repository's `retention.runs` and `log.max` as written: a lower one than the default deletes the user's records, so it waits for trust. */
  repoLimits: { keptRuns: number | null; logMax: number | null };
  /** `base` from the config file: where task branches start and land, unless a task names its own. */
  base: string | null;
  /** tmux `-L` socket name; undefined means the user's own tmux server. */
  tmuxSocket: string | undefined;
  terminal: string | undefined;
  port: number;
};

export const DEFAULT_PORT = 4317;

/** Beside the repository: `<parent>/<repo>-worktrees` (DESIGN §4). */
export function defaultWorktrees(repo: string): string {
  return join(dirname(repo), `${basename(repo)}-worktrees`);
}

function readConfigFile(repo: string): z.infer<typeof ConfigFile> {
  const file = join(repo, "dispatch.config.toml");
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = parseToml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DispatchError("config", `${file}: ${describe(error)}`, { cause: error });
  }
  const parsed = ConfigFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join(".") || "(file)";
    const message = issue?.code === "unrecognized_keys" ? `unknown key ${issue.keys.join(", ")}` : issue?.message;
    throw new DispatchError("config", `${file}: ${key}: ${message}`);
  }
  return parsed.data;
}

/** The smallest cap that keeps a useful head and tail (and whole filesystem blocks of each). */
const MIN_LOG_MAX = 64 * 1024;
const UNITS: Record<string, number> = { "": 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 };

/** A size in bytes, or written with a unit: "256 MiB", "1GB", "500kb". */
export function parseSize(value: number | string, key: string): number {
  const match = typeof value === "number" ? null : /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const bytes =
    typeof value === "number" ? value : match ? Number(match[1]) * (UNITS[(match[2] ?? "").toUpperCase()] ?? Number.NaN) : Number.NaN;
  if (!Number.isFinite(bytes) || bytes < MIN_LOG_MAX) {
    throw new DispatchError(
      "config",
      `dispatch.config.toml: ${key}: ${JSON.stringify(value)} is not a size of at least 64 KiB (write bytes, or "256 MiB")`,
    );
  }
  return Math.floor(bytes);
}

function portFrom(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DispatchError("config", `DISPATCH_PORT: ${value} is not a port number`);
  }
  return port;
}

/**
 * Reads configuration once: the file, then the environment on top of it. Under `npm start` or
 * `npm run dispatch` the working directory is the package's; INIT_CWD is where the user was.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = env.INIT_CWD || process.cwd()): Config {
  const repo = resolve(env.DISPATCH_REPO || findRepo(cwd));
  const file = readConfigFile(repo);
  const agentFromFile = file.agent?.command;
  return {
    repo,
    tasksDir: join(repo, "tasks"),
    worktreesDir: defaultWorktrees(repo),
    repoTasks: file.tasks ?? null,
    repoWorktrees: file.worktrees ?? null,
    branchTemplate: file.branch ?? "task/{id}",
    stateDir: env.DISPATCH_STATE_DIR ? resolve(env.DISPATCH_STATE_DIR) : join(repo, ".run"),
    agentBins: Object.fromEntries(
      Object.values(AGENTS).flatMap((agent) => (env[agent.binEnv] ? [[agent.name, env[agent.binEnv] as string]] : [])),
    ),
    repoAgentCommand: typeof agentFromFile === "string" ? [agentFromFile] : (agentFromFile ?? null),
    repoSetup: typeof file.setup === "string" ? [file.setup] : (file.setup ?? null),
    base: file.base ?? null,
    keptRuns: DEFAULT_KEPT_RUNS,
    logMax: DEFAULT_LOG_MAX,
    repoLimits: {
      keptRuns: file.retention?.runs ?? null,
      logMax: file.log?.max === undefined ? null : parseSize(file.log.max, "log.max"),
    },
    tmuxSocket: env.DISPATCH_TMUX_SOCKET || undefined,
    terminal: env.DISPATCH_TERMINAL || file.terminal,
    port: portFrom(env.DISPATCH_PORT, file.port ?? DEFAULT_PORT),
  };
}
