import { existsSync, readFileSync } from "node:fs";
import { DispatchError, describe } from "../errors.ts";
import type { AttachResult } from "../protocol/api.ts";
import type { Tmux } from "../tmux/tmux.ts";
import { chooseTerminal, platformOf } from "./detect.ts";
import { focusClient } from "./focus.ts";
import type { Platform } from "./openers.ts";

/** How long a new terminal window gets to attach before we stop waiting for it. */
const ATTACH_WAIT_MS = 8000;

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
const inFlight = new Map<string, Promise<AttachResult>>();

/**
 * The one path behind `dispatch attach`, POST /attach, the UI's Attach button, the tray's Attach
 * item and interactive dispatches from the API: raise the window already attached to the
 * session, or open the user's terminal on it.
 */
export function openOrFocus(tmux: Tmux, session: string, configured: string | undefined, env = process.env): Promise<AttachResult> {
  const running = inFlight.get(session);
  if (running) return running;
  const job = attach(tmux, session, configured, env).finally(() => inFlight.delete(session));
  inFlight.set(session, job);
  return job;
}

async function attach(
  tmux: Tmux,
  session: string,
  configured: string | undefined,
  env: Record<string, string | undefined>,
): Promise<AttachResult> {
  const command = tmux.attachArgv(session);
  const platform = currentPlatform(env);
  const clients = await tmux.clients(session);
  if (clients.length > 0) {
    const focus = await focusClient({ session, clients, platform, env, has });
    return focus.focused
      ? { session, action: "focused", terminal: focus.how, message: `brought the window of ${session} forward`, command }
      : {
          session,
          action: "attached",
          terminal: null,
          message: `${session} is already open in a terminal window; Dispatch cannot raise windows here (on X11, install xdotool)`,
          command,
        };
  }
  const opener = chooseTerminal({ env, platform, has, configured });
  if (!opener)
    return {
      session,
      action: "none",
      terminal: null,
      message: `no terminal is opened (terminal = none): attach with ${command.join(" ")}`,
      command,
    };
  const argv = opener.argv({ session, attach: command, distro: env.WSL_DISTRO_NAME });
  try {
    Bun.spawn(argv, { stdio: ["ignore", "ignore", "ignore"], detached: true, env: env as Record<string, string> }).unref();
  } catch (error) {
    throw new DispatchError("terminal_missing", `could not start ${opener.name}: ${describe(error)}`, { cause: error });
  }
  const deadline = Date.now() + ATTACH_WAIT_MS;
  while (Date.now() < deadline) {
    if ((await tmux.clients(session)).length > 0) {
      return { session, action: "opened", terminal: opener.name, message: `opened ${opener.name} on ${session}`, command };
    }
    await Bun.sleep(50);
  }
  return {
    session,
    action: "opened",
    terminal: opener.name,
    message: `started ${opener.name}, but it has not attached to ${session} yet`,
    command,
  };
}
