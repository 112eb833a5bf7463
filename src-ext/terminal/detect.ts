import { DispatchError } from "../errors.ts";
import { OPENERS, type Opener, openerByName, type Platform } from "./openers.ts";

export type DetectEnv = {
  env: Record<string, string | undefined>;
  platform: Platform;
  /** Whether a program (or, for macOS apps, a path) is there. */
  has: (requirement: string) => boolean;
  /** DISPATCH_TERMINAL or config `terminal`. */
  configured?: string;
};

/** The platform's own order, after the user's choice and the terminal they run in (DESIGN §8). */
const PLATFORM_ORDER: Record<Platform, string[]> = {
  darwin: ["wezterm", "iterm2", "apple-terminal"],
  linux: ["xdg-terminal-exec", "wezterm", "gnome-terminal", "konsole", "xfce4-terminal", "kitty", "alacritty", "foot", "xterm"],
  wsl: ["windows-terminal"],
};

/** The terminal the user is sitting in, from the variables terminals set. */
function current(env: DetectEnv["env"], platform: Platform): string | undefined {
  if (platform === "wsl" && env.WT_SESSION) return "windows-terminal";
  const program = env.TERM_PROGRAM;
  if (program === "WezTerm") return "wezterm";
  if (program === "iTerm.app") return "iterm2";
  if (program === "Apple_Terminal") return "apple-terminal";
  if (program === "ghostty") return "ghostty";
  if (env.KITTY_WINDOW_ID) return "kitty";
  if (env.ALACRITTY_WINDOW_ID || env.ALACRITTY_SOCKET) return "alacritty";
  if (env.KONSOLE_VERSION) return "konsole";
  if (env.GNOME_TERMINAL_SCREEN || env.GNOME_TERMINAL_SERVICE) return "gnome-terminal";
  if (env.TERM === "foot" || env.TERM === "foot-extra") return "foot";
  if (env.XTERM_VERSION) return "xterm";
  return undefined;
}

/**
 * Chooses the terminal: the user's setting first, then the terminal they run in, then the
 * platform's list. `null` means "open nothing" (`none`). Errors say what to install or set.
 */
export function chooseTerminal(d: DetectEnv): Opener | null {
  const installed = (o: Opener) => o.platforms.includes(d.platform) && d.has(o.requires);
  if (d.configured) {
    if (d.configured === "none") return null;
    const chosen = openerByName(d.configured);
    if (!chosen) {
      throw new DispatchError("config", `unknown terminal ${d.configured}: use one of ${OPENERS.map((o) => o.name).join(", ")}, or none`);
    }
    if (!installed(chosen)) {
      throw new DispatchError(
        "terminal_missing",
        `the terminal ${chosen.name} is not installed here (${chosen.requires} not found): install it or set DISPATCH_TERMINAL`,
      );
    }
    return chosen;
  }
  const here = current(d.env, d.platform);
  const candidates = [...(here ? [here] : []), ...PLATFORM_ORDER[d.platform]];
  for (const name of candidates) {
    const opener = openerByName(name);
    if (opener && installed(opener)) return opener;
  }
  throw new DispatchError(
    "terminal_missing",
    `no terminal found: set DISPATCH_TERMINAL or install one of ${PLATFORM_ORDER[d.platform].join(", ")}`,
  );
}

export function platformOf(env: Record<string, string | undefined>, osPlatform: string, procVersion: string): Platform {
  if (osPlatform === "darwin") return "darwin";
  if (env.WSL_DISTRO_NAME || /microsoft/i.test(procVersion)) return "wsl";
  return "linux";
}
