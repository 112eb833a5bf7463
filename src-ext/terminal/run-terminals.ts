import type { Config } from "../config.ts";
import { describe } from "../errors.ts";
import type { Bus } from "../events.ts";
import type { Attachments } from "../runs/attachments.ts";
import type { RunRecord } from "../runs/run-record.ts";
import type { Tmux } from "../tmux/tmux.ts";
import { type Opening, openOrFocus } from "./attach.ts";

/** The user's terminal on a run's session: opened or raised, and how it went published as a `terminal` event. */
export class RunTerminals {
  constructor(
    private readonly tmux: Tmux,
    private readonly attachments: Attachments,
    private readonly bus: Bus,
    private readonly configured: Config["terminal"],
  ) {}

  /** Answers at once; `outcome` settles when the window showed (or did not). */
  async openOrFocus(run: RunRecord, fresh = false): Promise<Opening> {
    const opening = await openOrFocus(this.tmux.at(run.socket), run.session, {
      configured: this.configured,
      waitAttached: (ms) => this.attachments.waitAttached(run.id, ms),
      fresh,
    });
    opening.outcome?.then(
      (result) => this.bus.emit({ type: "terminal", mode: run.mode, taskId: run.taskId, result }),
      () => undefined,
    );
    return opening;
  }

  /** For a run just dispatched: a terminal that cannot open does not undo it; the answer says why instead. */
  async open(run: RunRecord, fresh: boolean): Promise<Opening> {
    try {
      return await this.openOrFocus(run, fresh);
    } catch (error) {
      const command = this.tmux.at(run.socket).attachArgv(run.session);
      return { now: { session: run.session, action: "none", terminal: null, message: describe(error), command }, outcome: null };
    }
  }
}
