import { relative } from "node:path";
import { launchAgentFor } from "./agents/launch-agent.ts";
import { checkId, checkNames } from "./check-names.ts";
import type { Config } from "./config.ts";
import { DispatchError } from "./errors.ts";
import { Bus } from "./events.ts";
import { type Mode, modeInfo } from "./modes/mode.ts";
import { ModeStore } from "./modes/mode-store.ts";
import type {
  ApproveBody,
  ApproveResult,
  DispatchResult,
  ModeInfo,
  RunInfo,
  StatusResult,
  StopResult,
  TaskDetail,
  TasksResult,
  TrustStatus,
} from "./protocol/api.ts";
import type { RunOrigin } from "./protocol/states.ts";
import { decide } from "./runs/approvals.ts";
import { Attachments } from "./runs/attachments.ts";
import { capLogSafely } from "./runs/log-cap.ts";
import { pruneAll, pruneTask } from "./runs/retention.ts";
import { ActivityReader } from "./runs/run-activity.ts";
import { RunDb } from "./runs/run-db.ts";
import { RunFiles } from "./runs/run-files.ts";
import { RunLifecycle } from "./runs/run-lifecycle.ts";
import { type RunRecord, toRunInfo } from "./runs/run-record.ts";
import { isLive } from "./runs/run-state.ts";
import { RunWatch } from "./runs/run-watch.ts";
import { ensureStateDir } from "./state-dir.ts";
import type { Task } from "./tasks/task.ts";
import { TaskStore } from "./tasks/task-store.ts";
import type { Opening } from "./terminal/attach.ts";
import { RunTerminals } from "./terminal/run-terminals.ts";
import { socketPathFor, Tmux } from "./tmux/tmux.ts";
import { RepoTrust } from "./trust/repo-trust.ts";
import { TrustStore } from "./trust/trust-store.ts";
import { TaskBoard } from "./views/task-board.ts";
import { statusOf } from "./views/task-views.ts";
import { TaskWork } from "./worktrees/task-work.ts";
import { TaskWorktrees } from "./worktrees/task-worktrees.ts";

export { checkId, checkNames } from "./check-names.ts";
export { VERSION } from "./version.ts";

/**
 * The one engine behind the CLI, the HTTP API and the Neutralino bridge. It never knows which
 * edge called it. `watch: true` (the server) follows task files, exits, terminal events and other
 * processes' writes as they happen; the CLI opens it without watchers and looks on demand.
 */
export class Engine {
  readonly bus = new Bus();
  readonly modes: ModeStore;
  readonly tmux: Tmux;
  private readonly db: RunDb;
  private readonly runs: RunLifecycle;
  private readonly attachments: Attachments;
  private readonly activity: ActivityReader;
  private readonly trust: RepoTrust;
  private readonly terminals: RunTerminals;
  /** A task's work: review, merge, commit, remove, and the board's changes badges (worktrees/). */
  readonly work: TaskWork;
  private readonly board: TaskBoard;
  private watch: RunWatch | null = null;
  private taskStore: TaskStore | null = null;
  private watchingTasks = false;
  /** What trust left out of the repository's own settings (its tasks or worktrees folder). */
  private pathsIgnored: string[] = [];

  private constructor(readonly config: Config) {
    ensureStateDir(config.stateDir, config.repo);
    this.db = RunDb.open(config.stateDir);
    this.tmux = new Tmux(socketPathFor(config.tmuxSocket, process.env));
    this.runs = new RunLifecycle(config, new RunFiles(config.stateDir), this.db, this.tmux, this.bus);
    this.attachments = new Attachments(this.runs, this.tmux, this.bus);
    this.activity = new ActivityReader(this.runs.files, this.runs, this.attachments);
    this.terminals = new RunTerminals(this.tmux, this.attachments, this.bus, config.terminal);
    this.modes = new ModeStore(config.repo).load();
    this.trust = new RepoTrust(
      config.repo,
      {
        command: config.repoAgentCommand,
        tasks: config.repoTasks,
        worktrees: config.repoWorktrees,
        setup: config.repoSetup,
        limits: config.repoLimits,
      },
      config.agentBins.claude ? [config.agentBins.claude] : null,
      { tasksDir: config.tasksDir, worktreesDir: config.worktreesDir, keptRuns: config.keptRuns, logMax: config.logMax },
      this.modes,
      new TrustStore(),
    );
    this.applyPaths();
    this.work = new TaskWork(
      (id) => this.task(id),
      new TaskWorktrees(config, (id) => this.liveRuns().filter((r) => r.taskId === id)),
      this.bus,
    );
    this.board = new TaskBoard(
      { config, tasks: () => this.tasks, task: (id) => this.task(id), modes: this.modes, runs: this.runs, db: this.db, work: this.work },
      this.bus,
    );
    this.bus.on("run.ended", ({ run }) => {
      void this.work.refresh(run.taskId);
      // Its last bytes may have taken the log past its cap since the last sweep.
      const record = this.runs.get(run.runId);
      if (record) capLogSafely(record.logPath, config.logMax);
      pruneTask(this.db, this.runs.files, run.taskId, config.keptRuns);
    });
    // An agent that stops for the user has usually just changed files.
    this.bus.on("run.activity", ({ run }) => {
      if (run.activity !== "working") void this.work.refresh(run.taskId);
    });
  }

  static async open(config: Config, options: { watch: boolean }): Promise<Engine> {
    const engine = new Engine(config);
    await engine.runs.open();
    // What the agents did while no Dispatch was reading their hooks (the CLI alone knows it too).
    await engine.activity.readAll();
    // Runs beyond what each task keeps (a limit lowered, or runs the CLI ended alone): one query when there are none.
    pruneAll(engine.db, engine.runs.files, config.keptRuns);
    if (options.watch) {
      engine.watchTasks();
      engine.watchRuns();
    }
    return engine;
  }

  get tasks(): TaskStore {
    return this.taskStore as TaskStore;
  }

  /** Follows the task files as they change (the server). */
  watchTasks(): void {
    this.watchingTasks = true;
    this.tasks.watch();
    // Each task's work, for the board's first badges.
    void this.work.refreshAll(this.tasks.all().map((t) => t.id));
  }

  /** Where tasks are read and worktrees made, as trust allows now; a new tasks folder is a new store. */
  private applyPaths(): void {
    const paths = this.trust.paths();
    const limits = this.trust.limits();
    this.config.worktreesDir = paths.worktreesDir;
    this.config.keptRuns = limits.keptRuns;
    this.config.logMax = limits.logMax;
    this.pathsIgnored = [...paths.ignored, ...limits.ignored];
    const key = `${paths.tasksDir}\0${paths.tasksRefused}`;
    if (this.taskStore && this.tasksKey === key) return;
    this.tasksKey = key;
    this.config.tasksDir = paths.tasksDir;
    this.taskStore?.close();
    this.taskStore = new TaskStore(
      this.config.repo,
      paths.tasksDir,
      () => this.bus.emit({ type: "tasks.changed" }),
      paths.tasksRefused,
    ).load();
    if (this.watchingTasks) this.taskStore.watch();
  }

  private tasksKey = "";

  /** Follows exits, terminal events and other processes' writes as they happen (the CLI does while it follows or attaches). */
  watchRuns(): void {
    if (this.watch) return;
    this.watch = new RunWatch(this.runs.files, this.runs, this.activity, () => this.config.logMax).start();
    // Who is attached now; tmux's hooks tell every change after this.
    void this.attachments.refreshAll();
  }

  /** Lets runs being launched finish starting (call before exiting). */
  settle(): Promise<void> {
    return this.runs.settle();
  }

  close(): void {
    this.watch?.close();
    this.attachments.close();
    this.taskStore?.close();
    this.db.close();
  }

  /** The mode `name` runs, as trust allows (trust/repo-trust.ts); `ignored`: the repository's version it left out. */
  mode(name: string): Mode {
    return this.modes.runnable(name, this.trust.isTrusted).mode;
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

  /** Starts (or reuses) a run; `resume` continues the latest session of {mode, task} as a new run. */
  async dispatch(
    modeName: string,
    id: string,
    extras: string[],
    origin: RunOrigin,
    options: { resume?: boolean } = {},
  ): Promise<DispatchResult> {
    checkNames(modeName, id);
    const { mode, ignored } = this.modes.runnable(modeName, this.trust.isTrusted);
    const task = this.task(id);
    const { launch, ignored: agentIgnored } = launchAgentFor(mode, this.trust, this.config.agentBins, {
      repo: this.config.repo,
      setupLog: this.runs.files.setupLog(task.id),
      taskId: task.id,
      never: [this.config.stateDir, this.config.worktreesDir],
    });
    let from: RunRecord | null = null;
    if (options.resume) {
      if (!launch.definition.hooks)
        throw new DispatchError("conflict", `${launch.definition.name} runs are not followed by session: nothing to resume`);
      from = this.runs.resumable(mode.name, task.id);
      if (!from) throw new DispatchError("conflict", `nothing to resume: no run of ${mode.name} on ${task.id} has a session yet`);
    }
    const { run, reused } = await this.runs.dispatch(mode, task, extras, origin, launch, from);
    const left = [
      ...(ignored ? [`this repository's own ${mode.name} (${ignored.item.path}, not trusted: dispatch trust), so the built-in ran`] : []),
      ...agentIgnored,
      ...this.pathsIgnored.filter((i) => i.includes("worktrees") || i.includes("retention.runs") || i.includes("log.max")),
    ];
    const info = toRunInfo(run);
    const result: DispatchResult = {
      session: run.session,
      mode: mode.name,
      id: task.id,
      runId: run.id,
      headless: info.headless,
      state: info.state,
      reused,
      ...(left.length > 0 && { notice: `left out ${left.join("; ")}` }),
      ...(run.resumedFrom && { resumedFrom: run.resumedFrom }),
    };
    // The CLI attaches in its own terminal; every other edge opens the user's (DESIGN §4), without waiting for it.
    if (mode.interactive && origin !== "cli" && info.state === "running") result.terminal = (await this.terminals.open(run, !reused)).now;
    return result;
  }

  /**
   * Opens or raises the terminal on a live interactive run (`dispatch attach`, POST /attach, UI,
   * tray). Answers at once; how the window did is published as a `terminal` event and returned
   * as `outcome` for the CLI, which waits for it.
   */
  async attach(modeName: string, id: string): Promise<Opening> {
    checkNames(modeName, id);
    const mode = this.mode(modeName);
    this.knownTask(modeName, id);
    if (!mode.interactive)
      throw new DispatchError("invalid_mode", `${modeName} is headless: there is no session to attach to (open its log instead)`);
    const run = this.runs.latest(modeName, id);
    if (!run || !isLive(run.phase)) throw new DispatchError("not_running", `no run of ${modeName} on ${id} is running`);
    return this.terminals.openOrFocus(run);
  }

  /** The command that attaches a terminal to a run's session (or moves a tmux client to it), on the run's own tmux server. */
  attachArgv(session: string, runId?: string, how: "attach" | "switch" = "attach"): string[] {
    const tmux = this.tmux.at((runId && this.runs.get(runId)?.socket) || null);
    return how === "switch" ? tmux.switchArgv(session) : tmux.attachArgv(session);
  }

  /** A task that exists, or whose file went away while it still has runs (those stay reachable). */
  private knownTask(modeName: string, id: string): void {
    if (!this.tasks.get(id) && !this.runs.latest(modeName, id)) this.task(id);
  }

  status(modeName: string, id: string): StatusResult {
    checkNames(modeName, id);
    const mode = this.mode(modeName);
    this.knownTask(modeName, id);
    const run = this.runs.latest(modeName, id);
    return statusOf(run, !mode.interactive, run ? this.attachments.get(run.id) : undefined);
  }

  /** Asks tmux once whether a terminal is attached (the CLI, which has no hooks to listen to). */
  async lookAttached(modeName: string, id: string): Promise<void> {
    const run = this.runs.latest(modeName, id);
    if (run) await this.attachments.refresh(run.id);
  }

  /** Answers the permission request a run waits on (runs/approvals.ts). */
  approve(modeName: string, id: string, body: ApproveBody): ApproveResult {
    checkNames(modeName, id);
    this.mode(modeName);
    this.knownTask(modeName, id);
    return decide(this.runs.files, this.runs.latest(modeName, id), `${modeName} on ${id}`, body);
  }

  async stop(modeName: string, id: string): Promise<StopResult> {
    checkNames(modeName, id);
    this.mode(modeName);
    this.knownTask(modeName, id);
    const { stopped, run } = await this.runs.stop(modeName, id);
    return { stopped, state: run ? toRunInfo(run).state : "idle" };
  }

  /** The run whose log a request names: `runId` when given (an older run), else the newest of {mode, task}. */
  logRun(modeName: string, id: string, runId?: string): RunInfo & { logPath: string; live: boolean } {
    checkNames(modeName, id);
    this.mode(modeName);
    this.knownTask(modeName, id);
    const run = runId ? this.runs.get(runId) : (this.runs.latest(modeName, id) ?? null);
    if (!run && !runId) throw new DispatchError("not_found", `no run of ${modeName} on ${id} yet`);
    if (!run || run.mode !== modeName || run.taskId !== id) throw new DispatchError("not_found", `no run ${runId} of ${modeName} on ${id}`);
    return { ...toRunInfo(run), logPath: run.logPath, live: isLive(run.phase) };
  }

  run(runId: string): RunInfo | null {
    const run = this.runs.get(runId);
    return run ? toRunInfo(run) : null;
  }

  /** The newest run of every {mode, task}, live or not. */
  latestRuns(): RunInfo[] {
    return this.runs.latestAll().map(toRunInfo);
  }

  /** The live run of every {mode, task}. */
  liveRuns(): RunInfo[] {
    return this.runs
      .latestAll()
      .filter((r) => isLive(r.phase))
      .map(toRunInfo);
  }

  listModes(): ModeInfo[] {
    return this.modes.all(this.trust.isTrusted).map((m) => modeInfo(m.mode, { trusted: m.trusted, overrides: m.overrides }));
  }

  trustStatus(): TrustStatus {
    return this.trust.status();
  }

  /** Trusts the repository's code as shown (its fingerprint); modes and commands take effect at once. */
  trustRepo(fingerprint: string): TrustStatus {
    const status = this.trust.trust(fingerprint);
    this.applyPaths();
    // A lower retention.runs now in force: what is beyond it goes now, not at the next run's end.
    pruneAll(this.db, this.runs.files, this.config.keptRuns);
    this.bus.emit({ type: "tasks.changed" });
    return status;
  }

  untrustRepo(): TrustStatus {
    const status = this.trust.revoke();
    this.applyPaths();
    this.bus.emit({ type: "tasks.changed" });
    return status;
  }

  listRuns(taskId: string | null, limit?: number): RunInfo[] {
    if (taskId !== null) checkId(taskId);
    return this.runs.history(taskId, limit).map(toRunInfo);
  }

  listTasks(): TasksResult {
    return this.board.list();
  }

  taskDetail(id: string): TaskDetail {
    checkId(id);
    return this.board.detail(id);
  }
}
