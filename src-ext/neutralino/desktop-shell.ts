import type { Engine } from "../engine.ts";
import { describe } from "../errors.ts";
import type { AttachResult } from "../protocol/api.ts";
import { needsUser } from "../protocol/describe.ts";
import { parseHash } from "../protocol/pages.ts";
import type { NeutralinoBridge } from "./bridge.ts";
import { DesktopNotifier } from "./desktop-notifier.ts";
import { endedNotice, needsUserNotice, plainNotice } from "./notices.ts";
import { HELLO_EVENT, type Hello, OPEN_EVENT, TrayClick, type TrayItem } from "./protocol.ts";
import { parseTrayId, TRAY_ICON, type TrayAction, trayMenu } from "./tray-menu.ts";

/**
 * Run changes come in bursts: `run.started`, then `run.changed` once launched, measured 16 ms
 * later for an interactive run (38 ms at most over 10 dispatches) and 3 ms for a headless one.
 * One menu update for the burst.
 */
const TRAY_DEBOUNCE_MS = 60;

/**
 * The desktop side of the extension: owns the tray menu (it knows the runs), answers the window's
 * hello with the API's address and token, acts on tray clicks and notification clicks, and
 * notifies when a run needs the user or a headless run ends. Thin: every action is one engine call.
 */
export class DesktopShell {
  private lastMenu = "";
  private timer: ReturnType<typeof setTimeout> | null = null;
  private offs: Array<() => void> = [];
  private readonly notifier: DesktopNotifier;
  /** The request each run's notice is about: a different one is noticed again, and the old notice acts no more. */
  private readonly noticed = new Map<string, string>();

  constructor(
    private readonly engine: Engine,
    private readonly bridge: NeutralinoBridge,
    private readonly hello: Hello,
    notifier?: DesktopNotifier,
  ) {
    this.notifier = notifier ?? new DesktopNotifier(bridge, (action) => this.act(action));
  }

  async start(): Promise<void> {
    this.offs.push(
      this.engine.bus.onAny((event) => {
        if (event.type !== "run.attached" && event.type !== "terminal") this.scheduleTray();
      }),
      this.engine.bus.on("run.ended", ({ run }) => {
        this.notifier.cancel(run.runId);
        this.noticed.delete(run.runId);
        const notice = endedNotice(run);
        if (notice) void this.notifier.show(notice);
      }),
      // A run that now needs the user: which task, and why (the command it wants to run). Once it
      // no longer does (answered elsewhere), its notice acts no more.
      this.engine.bus.on("run.activity", ({ run, previous }) => {
        // A new request (another pending id) is a new notice even when the words are the same.
        const request = run.pending?.id ?? null;
        const known = this.noticed.get(run.runId) ?? null;
        if (needsUser(run) === needsUser({ ...run, activity: previous }) && request === known) return;
        if (request) this.noticed.set(run.runId, request);
        else this.noticed.delete(run.runId);
        const notice = needsUserNotice(run);
        if (notice) void this.notifier.show(notice, run.runId);
        else this.notifier.cancel(run.runId);
      }),
      // A window that failed to open, or could not open here, says why.
      this.engine.bus.on("terminal", ({ result }) => void this.explain(result)),
      // Events are not queued: greet the window when it connects, and whenever it asks.
      this.bridge.on("appClientConnect", () => void this.sendHello()),
      this.bridge.on("hello", () => void this.sendHello()),
      this.bridge.on("trayMenuItemClicked", (data) => {
        const click = TrayClick.safeParse(data);
        const action = click.success ? parseTrayId(click.data.id) : null;
        if (action) void this.act(action);
      }),
    );
    await this.updateTray();
    await this.sendHello();
  }

  stop(): void {
    this.notifier.stop();
    for (const off of this.offs) off();
    if (this.timer) clearTimeout(this.timer);
  }

  menu(): TrayItem[] {
    return trayMenu(this.engine.listTasks().tasks, this.engine.latestRuns());
  }

  async updateTray(): Promise<void> {
    const menuItems = this.menu();
    // Only a change is sent: every os.setTray is GTK work on the runtime's server thread (TRAY_ICON).
    const key = JSON.stringify(menuItems);
    if (key === this.lastMenu) return;
    this.lastMenu = key;
    try {
      await this.bridge.call("os.setTray", { icon: TRAY_ICON, menuItems });
    } catch (error) {
      console.error(`dispatch: could not set the tray: ${describe(error)}`);
    }
  }

  private scheduleTray(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.updateTray();
    }, TRAY_DEBOUNCE_MS);
  }

  private sendHello(): Promise<unknown> {
    return this.bridge.broadcastToWindows(HELLO_EVENT, this.hello).catch(() => undefined);
  }

  private notify(title: string, content: string): Promise<void> {
    return this.notifier.show(plainNotice(title, content));
  }

  /** A tray click that opened or raised nothing says why (no terminal, cannot raise windows here). */
  private async explain(result: AttachResult): Promise<void> {
    if (result.action === "none" || result.action === "attached" || result.action === "failed") {
      await this.notify(`Dispatch: ${result.session}`, result.message);
    }
  }

  async act(action: TrayAction): Promise<void> {
    try {
      switch (action.kind) {
        case "open":
          // A page to open (a notification's click): the window's router takes it.
          if (action.hash && parseHash(action.hash).name !== "list")
            await this.bridge.broadcastToWindows(OPEN_EVENT, { hash: action.hash });
          await this.bridge.call("window.show");
          await this.bridge.call("window.focus").catch(() => undefined);
          return;
        case "quit":
          // The runtime exits without answering; our socket closes and the extension follows.
          this.bridge.send("app.exit");
          return;
        case "run":
        case "resume": {
          const result = await this.engine.dispatch(action.mode, action.id, [], "tray", { resume: action.kind === "resume" });
          if (result.terminal) await this.explain(result.terminal);
          return;
        }
        case "allow":
        case "deny":
          await this.engine.approve(action.mode, action.id, { decision: action.kind, ...(action.request && { request: action.request }) });
          return;
        case "attach":
          await this.explain((await this.engine.attach(action.mode, action.id)).now);
          return;
        case "stop":
          await this.engine.stop(action.mode, action.id);
          return;
      }
    } catch (error) {
      await this.notify(`Dispatch: ${action.kind} ${"mode" in action ? `${action.mode} on ${action.id}` : ""} failed`, describe(error));
    }
  }
}
