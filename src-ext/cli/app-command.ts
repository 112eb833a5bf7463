import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { spawnChild } from "../proc/spawn.ts";

/** The app's root: neutralino.config.json, resources/, bin/ (where `neu update` puts the runtime). */
export const APP_ROOT = join(import.meta.dir, "..", "..");

/** The runtime binary `neu update` fetches for this platform, in bin/. */
export function runtimePath(platform = process.platform, arch = process.arch): string {
  const os = platform === "darwin" ? "mac" : platform === "win32" ? "win" : "linux";
  const cpu = arch === "arm64" ? "arm64" : arch === "arm" ? "armhf" : "x64";
  const name = os === "mac" ? "neutralino-mac_universal" : `neutralino-${os}_${cpu}${os === "win" ? ".exe" : ""}`;
  const exact = join(APP_ROOT, "bin", name);
  // macOS: the universal binary, else the one for this CPU.
  return os === "mac" && !existsSync(exact) ? join(APP_ROOT, "bin", `neutralino-mac_${cpu}`) : exact;
}

/**
 * `dispatch app` / `npm start` with the runtime present: runs the Neutralino desktop app (the
 * extension inside it serves the API), prints the API's URL with its token once it answers, and
 * ends with the app. Quitting the app never ends the running sessions.
 */
export async function appCommand(config: Config, runtime: string): Promise<number> {
  const serverJson = join(config.stateDir, "server.json");
  const before = existsSync(serverJson) ? readFileSync(serverJson, "utf8") : "";
  const app = spawnChild(
    // Flags only work as --key=value; an absolute path, since ${NL_PATH} is used verbatim.
    [runtime, `--path=${APP_ROOT}`, "--res-mode=directory"],
    { cwd: APP_ROOT, env: { ...process.env, DISPATCH_REPO: config.repo }, stdout: "inherit", stderr: "inherit" },
  );
  let ended = false;
  const exited = app.exited.then(({ code }) => {
    ended = true;
    return code;
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => app.kill(signal));
  void (async () => {
    // The extension writes server.json once it serves; 60 s covers a cold start of the runtime.
    for (let i = 0; i < 600 && !ended; i++) {
      const now = existsSync(serverJson) ? readFileSync(serverJson, "utf8") : "";
      if (now && now !== before) {
        const { url, token } = JSON.parse(now) as { url: string; token: string };
        process.stdout.write(`Dispatch (desktop) is serving ${config.repo}\n  ${url}/?token=${token}\n`);
        return;
      }
      await Bun.sleep(100);
    }
  })();
  return await exited;
}
