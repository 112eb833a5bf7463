import { Api } from "./api.svelte.ts";
import { Board } from "./board.svelte.ts";
import { Live } from "./live.svelte.ts";
import { Notifier } from "./notifier.ts";
import { Router } from "./router.svelte.ts";
import { TaskPage } from "./task-page.svelte.ts";
import { Toasts } from "./toasts.svelte.ts";

/**
 * The UI's state and intents, in one place: components render it and call these methods; only
 * this layer talks to the API.
 */
export class AppState {
  readonly api: Api;
  readonly board: Board;
  readonly live: Live;
  readonly router = new Router();
  readonly toasts = new Toasts();
  readonly notifier: Notifier;
  /** The task whose page (or log) the route shows: loaded when the route changes, never while rendering. */
  page = $state.raw<TaskPage | null>(null);
  /** `action:mode/id` keys with a request in flight, so a button does not fire twice. A stop is
   * never held up by a run request still waiting for its answer. */
  busy = $state<Record<string, boolean>>({});
  private tasksTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(base = location.origin, token: string | null = null, desktop = false) {
    this.api = new Api(base, token);
    this.board = new Board(this.api);
    // In the desktop app the extension sends native notifications; the page does not repeat them.
    this.notifier = new Notifier((id) => this.router.go({ name: "task", id }), !desktop);
    this.live = new Live(this.api, {
      run: (run) => {
        this.board.applyRun(run);
        this.page?.applyRun(run);
      },
      ended: (event) => this.notifier.onEnded(event),
      activity: (event) => this.notifier.onActivity(event),
      terminal: ({ result }) => {
        if (result.action === "failed" || result.action === "none") this.toasts.show("error", result.message, result.command.join(" "));
      },
      worktree: ({ taskId, changes }) => {
        this.board.applyChanges(taskId, changes);
        this.page?.applyChanges(taskId, changes);
      },
      tasks: () => this.reloadTasksSoon(),
      resync: () => {
        void this.board.load();
        this.page?.resync();
      },
    });
  }

  start(): void {
    void this.board.load();
    this.router.follow((route) => this.openTask(route.name === "list" ? null : route.id));
    this.live.start();
  }

  /** Opens (or keeps) the state of one task's page; null when no task is shown. */
  private openTask(id: string | null): void {
    if (this.page?.id === id) return;
    this.page = id === null ? null : new TaskPage(this.api, id);
    void this.page?.load();
  }

  private reloadTasksSoon(): void {
    if (this.tasksTimer) return;
    this.tasksTimer = setTimeout(() => {
      this.tasksTimer = null;
      void this.board.load();
      void this.page?.load();
    }, 100);
  }

  isBusy(action: "run" | "stop" | "attach" | "trust" | "approve", mode?: string, id?: string): boolean {
    return this.busy[action === "trust" ? "trust" : `${action}:${mode}/${id}`] === true;
  }

  private async act<T>(key: string, what: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.busy[key]) return undefined;
    this.busy = { ...this.busy, [key]: true };
    try {
      return await fn();
    } catch (error) {
      this.toasts.error(what, error);
      return undefined;
    } finally {
      const { [key]: _, ...rest } = this.busy;
      this.busy = rest;
    }
  }

  async run(mode: string, id: string, extras: string[] = [], resume = false): Promise<void> {
    this.notifier.askOnce();
    const what = resume ? "resume" : "start";
    const result = await this.act(`run:${mode}/${id}`, `Could not ${what} ${mode} on ${id}`, () =>
      this.api.dispatch(mode, id, extras, resume),
    );
    if (!result) return;
    this.toasts.show(
      result.reused ? "info" : "success",
      result.reused ? `${mode} is already running on ${id}` : `${resume ? "Resumed" : "Started"} ${mode} on ${id}`,
      [result.terminal?.message ?? result.session, result.notice].filter(Boolean).join(". "),
    );
  }

  async stop(mode: string, id: string): Promise<void> {
    const result = await this.act(`stop:${mode}/${id}`, `Could not stop ${mode} on ${id}`, () => this.api.stop(mode, id));
    if (result && !result.stopped) this.toasts.show("info", `${mode} on ${id} was not running`);
  }

  /** Trusts exactly what the panel showed (its fingerprint); the board then shows the repository's own modes. */
  async trustRepo(): Promise<void> {
    const shown = this.board.trust?.fingerprint;
    if (!shown) return;
    const result = await this.act("trust", "Could not trust this repository", () => this.api.trustRepo(shown));
    if (!result) return;
    this.toasts.show("success", "Trusted this repository's code", `${result.items.length} item(s), recorded outside the repository`);
    await this.board.load();
  }

  /** Answers what a run waits to do (its tool and command), as its pane's dialog would: the request shown, never a later one. */
  async approve(mode: string, id: string, decision: "allow" | "deny", message?: string, request?: string): Promise<void> {
    const result = await this.act(`approve:${mode}/${id}`, `Could not answer ${mode} on ${id}`, () =>
      this.api.approve(mode, id, decision, message, request),
    );
    if (result) this.toasts.show("success", `${decision === "allow" ? "Allowed" : "Denied"} ${result.tool} on ${id}`, result.summary);
  }

  async attach(mode: string, id: string): Promise<void> {
    const result = await this.act(`attach:${mode}/${id}`, `Could not attach to ${mode} on ${id}`, () => this.api.attach(mode, id));
    if (!result) return;
    if (result.action === "opened" || result.action === "focused") this.toasts.show("success", result.message);
    else this.toasts.show("info", result.message, result.action === "none" ? result.command.join(" ") : undefined);
  }
}
