import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Config } from "./config.ts";
import { DispatchError, describe } from "./errors.ts";
import { Bus } from "./events.ts";
import { type Mode, modeInfo } from "./modes/mode.ts";
import { ModeStore } from "./modes/mode-store.ts";
import type {
  AttachResult,
  DispatchResult,
  ModeBadge,
  ModeInfo,
  RunInfo,
  StatusResult,
  StopResult,
  TaskDetail,
  TaskSummary,
  TasksResult,
} from "./protocol/api.ts";
import { ModeName, TaskId } from "./protocol/ids.ts";
import type { RunOrigin } from "./protocol/states.ts";
import { isLive, RunDb, type RunRow, toRunInfo } from "./runs/run-db.ts";
import { RunFiles } from "./runs/run-files.ts";
import { branchFor, worktreeFor } from "./runs/run-launch.ts";
import { RunManager } from "./runs/run-manager.ts";
import { RunWatch } from "./runs/run-watch.ts";
import type { Task } from "./tasks/task.ts";
import { TaskStore } from "./tasks/task-store.ts";
import { openOrFocus } from "./terminal/attach.ts";
import { Tmux } from "./tmux/tmux.ts";

export const VERSION = "0.1.0";

/** Validates at the engine's door too: every edge calls through here. */
export function checkNames(mode: string, id: string): void {
  const m = ModeName.safeParse(mode);
  if (!m.success) throw new DispatchError("invalid_mode", `invalid mode name ${JSON.stringify(mode)}: ${m.error.issues[0]?.message}`);
  checkId(id);
}

export function checkId(id: string): void {
  const t = TaskId.safeParse(id);
  if (!t.success) throw new DispatchError("invalid_id", `invalid task id ${JSON.stringify(id)}: ${t.error.issues[0]?.message}`);
}

/**
 * The one engine behind the CLI, the HTTP API and the Neutralino bridge. It never knows which
 * edge called it. `watch: true` (the server) follows task files, exits and other processes'
 * writes as they happen; the CLI opens it without watchers and reconciles on demand.
 */
export class Engine {
  readonly bus = new Bus();
  readonly tasks: TaskStore;
  readonly modes: ModeStore;
  readonly tmux: Tmux;
  readonly files: RunFiles;
  private readonly db: RunDb;
  private readonly runs: RunManager;
  private watch: RunWatch | null = null;

  private constructor(readonly config: Config) {
    ensureStateDir(config);
    this.files = new RunFiles(config.stateDir).ensure();
    this.db = new RunDb(config.stateDir);
    this.tmux = new Tmux(config.tmuxSocket);
    this.runs = new RunManager(config, this.files, this.db, this.tmux, this.bus);
    this.tasks = new TaskStore(config.repo, config.tasksDir, () => this.bus.emit("tasks.changed", undefined)).load();
    this.modes = new ModeStore(config.repo).load();
  }

  static async open(config: Config, options: { watch: boolean }): Promise<Engine> {
    const engine = new Engine(config);
    if (options.watch) {
      engine.tasks.watch();
      engine.watchRuns();
    }
    await engine.runs.reconcileAll();
    return engine;
  }

  /** Follows exits and other processes' writes as they happen (the CLI does when it follows a log). */
  watchRuns(): void {
    this.watch ??= new RunWatch(this.files, this.runs).start();
  }

  /** Lets runs being launched finish starting (call before exiting). */
  settle(): Promise<void> {
    return this.runs.settle();
  }

  close(): void {
    this.watch?.close();
    this.tasks.close();
    this.db.close();
  }

  mode(name: string): Mode {
    const mode = this.modes.get(name);
    if (!mode) {
      const known = this.modes
        .all()
        .map((m) => m.name)
        .join(", ");
      throw new DispatchError("unknown_mode", `unknown mode ${name} (modes: ${known})`);
    }
    return mode;
  }

  task(id: string): Task {
    const task = this.tasks.get(id);
    if (!task)
      throw new DispatchError(
        "unknown_task",
        `unknown task ${id} (no file under ${relative(this.config.repo, this.config.tasksDir) || "."}/ has id = "${id}")`,
      );
    return task;
  }

  async dispatch(modeName: string, id: string, extras: string[], origin: RunOrigin): Promise<DispatchResult> {
    checkNames(modeName, id);
    const mode = this.mode(modeName);
    const task = this.task(id);
    const { row, reused } = await this.runs.dispatch(mode, task, extras, origin);
    const info = toRunInfo(row);
    const result: DispatchResult = {
      session: row.session,
      mode: mode.name,
      id: task.id,
      runId: row.id,
      headless: info.headless,
      state: info.state,
      reused,
    };
    // The CLI attaches in its own terminal; every other edge opens the user's (DESIGN §4).
    if (mode.interactive && origin !== "cli" && info.state === "running") result.terminal = await this.openTerminal(row.session);
    return result;
  }

  /** Opens or raises the terminal on a live interactive run (`dispatch attach`, POST /attach, UI, tray). */
  async attach(modeName: string, id: string): Promise<AttachResult> {
    checkNames(modeName, id);
    const mode = this.mode(modeName);
    this.knownTask(modeName, id);
    const row = this.runs.latest(modeName, id);
    if (!mode.interactive)
      throw new DispatchError("invalid_mode", `${modeName} is headless: there is no session to attach to (open its log instead)`);
    if (!row || !isLive(row)) throw new DispatchError("not_running", `no run of ${modeName} on ${id} is running`);
    return openOrFocus(this.tmux, row.session, this.config.terminal);
  }

  /** A terminal that cannot open does not undo the dispatch: the answer says why instead. */
  private async openTerminal(session: string): Promise<AttachResult> {
    try {
      return await openOrFocus(this.tmux, session, this.config.terminal);
    } catch (error) {
      return { session, action: "none", terminal: null, message: describe(error), command: this.tmux.attachArgv(session) };
    }
  }

  /** A task that exists, or whose file went away while it still has runs (those stay reachable). */
  private knownTask(modeName: string, id: string): void {
    if (!this.tasks.get(id) && !this.runs.latest(modeName, id)) this.task(id);
  }

  status(modeName: string, id: string): StatusResult {
    checkNames(modeName, id);
    const mode = this.mode(modeName);
    this.knownTask(modeName, id);
    const row = this.runs.latest(modeName, id);
    if (!row) return { state: "idle", running: false, headless: !mode.interactive };
    const info = toRunInfo(row);
    return {
      state: info.state,
      running: isLive(row),
      headless: info.headless,
      ...(info.exitCode !== null && { exitCode: info.exitCode }),
      ...(info.reason !== null && { reason: info.reason }),
      startedAt: info.startedAt,
      ...(info.endedAt !== null && { endedAt: info.endedAt }),
      session: info.session,
      runId: info.runId,
    };
  }

  async stop(modeName: string, id: string): Promise<StopResult> {
    checkNames(modeName, id);
    this.mode(modeName);
    this.knownTask(modeName, id);
    const { stopped, row } = await this.runs.stop(modeName, id);
    return { stopped, state: row ? toRunInfo(row).state : "idle" };
  }

  /** The run whose log a request names: `runId` when given (an older run), else the newest of {mode, task}. */
  logRun(modeName: string, id: string, runId?: string): RunInfo & { logPath: string; live: boolean } {
    checkNames(modeName, id);
    this.mode(modeName);
    this.knownTask(modeName, id);
    const row = runId ? this.runs.get(runId) : this.runs.requireLatest(modeName, id);
    if (!row || row.mode !== modeName || row.task_id !== id)
      throw new DispatchError("not_found", `no run ${runId} of ${modeName} on ${id}`);
    return { ...toRunInfo(row), logPath: row.log_path, live: isLive(row) };
  }

  run(runId: string): RunRow | null {
    return this.runs.get(runId);
  }

  /** The live run of every {mode, task}. */
  liveRuns(): RunInfo[] {
    return this.runs.latestRows().filter(isLive).map(toRunInfo);
  }

  listModes(): ModeInfo[] {
    return this.modes.all().map(modeInfo);
  }

  listRuns(taskId: string | null, limit?: number): RunInfo[] {
    if (taskId !== null) checkId(taskId);
    return this.runs.history(taskId, limit).map(toRunInfo);
  }

  private badges(): Map<string, Record<string, ModeBadge>> {
    const byTask = new Map<string, Record<string, ModeBadge>>();
    for (const row of this.runs.latestRows()) {
      const badges = byTask.get(row.task_id) ?? {};
      const info = toRunInfo(row);
      badges[row.mode] = { state: info.state, exitCode: info.exitCode, runId: info.runId };
      byTask.set(row.task_id, badges);
    }
    return byTask;
  }

  listTasks(): TasksResult {
    const badges = this.badges();
    const tasks = this.tasks.all().map((t) => summary(t, badges.get(t.id) ?? {}));
    return { tasks, problems: [...this.tasks.problems(), ...this.modes.problems()] };
  }

  taskDetail(id: string): TaskDetail {
    checkId(id);
    const task = this.task(id);
    return {
      ...summary(task, this.badges().get(id) ?? {}),
      body: task.body,
      frontMatter: task.frontMatter,
      worktree: worktreeFor(this.config, id),
      branch: branchFor(this.config, id),
    };
  }
}

function summary(t: Task, runs: Record<string, ModeBadge>): TaskSummary {
  return {
    id: t.id,
    title: t.title,
    status: t.status,
    priority: t.priority,
    phase: t.phase,
    type: t.type,
    tags: t.tags,
    path: t.path,
    runs,
  };
}

/** Creates `.run/` and, the first time, lists it in the repo's `.gitignore` (DESIGN §7). */
function ensureStateDir(config: Config): void {
  if (existsSync(config.stateDir)) return;
  const inRepo = relative(config.repo, config.stateDir);
  if (!inRepo || inRepo.startsWith("..") || !existsSync(join(config.repo, ".git"))) return;
  const gitignore = join(config.repo, ".gitignore");
  const entry = `/${inRepo.split("\\").join("/")}/`;
  const current = existsSync(gitignore) ? readFileSync(gitignore, "utf8") : "";
  const listed = current.split("\n").some((l) => [entry, entry.slice(1), entry.slice(0, -1), entry.slice(1, -1)].includes(l.trim()));
  if (!listed) appendFileSync(gitignore, `${current && !current.endsWith("\n") ? "\n" : ""}${entry}\n`);
}
