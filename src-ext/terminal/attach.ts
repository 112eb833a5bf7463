import { existsSync, readFileSync } from "node:fs";
import { DispatchError, describe } from "../errors.ts";
import { shellWord } from "../proc/shell-word.ts";
import { spawnChild } from "../proc/spawn.ts";
import type { AttachResult } from "../protocol/api.ts";
import type { Tmux } from "../tmux/tmux.ts";
import { chooseTerminal, platformOf } from "./detect.ts";
import { focusClient } from "./focus.ts";
import type { Platform } from "./openers.ts";

/**
 * How long a new terminal window gets to attach before the outcome says "started, not attached
 * yet". GNOME Terminal and Konsole attached within ~2 s under Xvfb here (test/desktop); a cold
 * start on a loaded desktop can take several seconds more.
 */
export const ATTACH_WAIT_MS = 8000;

/** What opening a terminal did at once, and (when a terminal was started) how it went, later. */
export type Opening = { now: AttachResult; outcome: Promise<AttachResult> | null };

/** Resolves true once a terminal client attaches to the session, false after `ms`: pushed by tmux's hooks, not polled. */
export type WaitAttached = (ms: number) => Promise<boolean>;

function has(requirement: string): boolean {
  return requirement.startsWith("/") ? existsSync(requirement) : Bun.which(requirement) !== null;
}

function currentPlatform(env: Record<string, string | undefined>): Platform {
  let version = "";
  try {
    version = readFileSync("/proc/version", "utf8");
  } catch {}
  return platformOf(env, process.platform, version);
}

/** One open-or-focus at a time per session: two quick clicks must not open two windows. */
const inFlight = new Map<string, Promise<Opening>>();

/**
 * The one path behind `dispatch attach`, POST /attach, the UI's Attach button, the tray's Attach
 * item and interactive dispatches from the API: raise the window already attached to the
 * session, or start the user's terminal on it. It never waits for the window: the answer says
 * what was done now, and `outcome` says later whether the window attached or the terminal failed.
 */
export function openOrFocus(
  tmux: Tmux,
  session: string,
  options: {
    configured: string | undefined;
    waitAttached: WaitAttached;
    /** The session was created by this very dispatch: no window can be attached to it yet (saves a tmux call). */
    fresh?: boolean;
    env?: Record<string, string | undefined>;
  },
): Promise<Opening> {
  const running = inFlight.get(session);
  if (running) return running;
  const { configured, waitAttached, fresh = false, env = process.env } = options;
  const job = attach(tmux, session, configured, waitAttached, fresh, env).finally(() => inFlight.delete(session));
  inFlight.set(session, job);
  return job;
}

async function attach(
  tmux: Tmux,
  session: string,
  configured: string | undefined,
  waitAttached: WaitAttached,
  fresh: boolean,
  env: Record<string, string | undefined>,
): Promise<Opening> {
  const command = tmux.attachArgv(session);
  const hand = command.map(shellWord).join(" ");
  const result = (action: AttachResult["action"], terminal: string | null, message: string): AttachResult => ({
    session,
    action,
    terminal,
    message,
    command,
  });
  const platform = currentPlatform(env);
  const clients = fresh ? [] : await tmux.clients(session);
  if (clients.length > 0) {
    const focus = await focusClient({ session, clients, platform, env, has });
    const now = focus.focused
      ? result("focused", focus.how, `brought the window of ${session} forward`)
      : result(
          "attached",
          null,
          `${session} is already open in a terminal window; Dispatch cannot raise windows here (on X11, install xdotool)`,
        );
    return { now, outcome: null };
  }
  if (configured === "none")
    return { now: result("none", null, `no terminal is opened (terminal = none): attach with ${hand}`), outcome: null };
  // Over SSH or on a console there is nowhere to open a window: say so at once instead of waiting for one.
  if (platform === "linux" && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return {
      now: result("none", null, `no graphical display (DISPLAY and WAYLAND_DISPLAY are unset): attach with ${hand}`),
      outcome: null,
    };
  }
  const opener = chooseTerminal({ env, platform, has, configured });
  if (!opener) return { now: result("none", null, `no terminal is opened: attach with ${hand}`), outcome: null };
  const argv = opener.argv({ session, attach: command, distro: env.WSL_DISTRO_NAME });
  // Listen before the window can attach, so its event cannot be missed.
  const attached = waitAttached(ATTACH_WAIT_MS);
  let child: ReturnType<typeof spawnChild>;
  try {
    child = spawnChild(argv, { detached: true, env, stderr: "capture" });
  } catch (error) {
    throw new DispatchError("terminal_missing", `could not start ${opener.name}: ${describe(error)}`, { cause: error });
  }
  // Some terminals hand the window to a server and exit 0 at once (gnome-terminal): only a failure counts.
  const failed = child.exited.then(async ({ code }) => {
    if (code === 0) return new Promise<never>(() => {});
    const said = (await child.stderrText()).trim().split("\n").slice(-3).join(" ").trim();
    return result("failed", opener.name, `${opener.name} failed: ${said || `exit code ${code}`}: attach with ${hand}`);
  });
  const outcome = Promise.race([
    attached.then((ok) =>
      ok
        ? result("opened", opener.name, `opened ${opener.name} on ${session}`)
        : result("opening", opener.name, `started ${opener.name}, but it has not attached to ${session} yet`),
    ),
    failed,
  ]);
  return { now: result("opening", opener.name, `opening ${opener.name} on ${session}`), outcome };
}
