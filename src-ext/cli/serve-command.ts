import { rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Engine } from "../engine.ts";
import { writePrivateFile } from "../fs/private-file.ts";
import { spawnChild } from "../proc/spawn.ts";
import { startServer } from "../server/server.ts";
import { signInPage } from "../server/sign-in.ts";

/** Opens a URL in the default browser, where one of the usual openers exists. */
function openBrowser(url: string): boolean {
  const opener = ["xdg-open", "open", "wslview"].map((c) => Bun.which(c)).find(Boolean);
  if (!opener) return false;
  spawnChild([opener, url], { detached: true });
  return true;
}

/**
 * Opens the board in the browser without putting the token on a command line: the opener gets a
 * private file (0600) that redirects to a one-time sign-in address. The file goes once the code
 * is spent or has expired.
 */
function openSignedIn(stateDir: string, signIn: (used: () => void) => string): boolean {
  const file = join(stateDir, `open-${process.pid}.html`);
  const address = signIn(() => rmSync(file, { force: true }));
  writePrivateFile(file, signInPage(address));
  return openBrowser(pathToFileURL(file).href);
}

/** `dispatch serve`: the API until SIGINT or SIGTERM; running sessions and jobs live on. */
export async function serveCommand(engine: Engine, options: { port: number; open: boolean }): Promise<number> {
  engine.watchRuns();
  engine.watchTasks();
  const { info, stop, signIn } = startServer(engine, { port: options.port });
  const url = `${info.url}/?token=${info.token}`;
  process.stdout.write(`Dispatch is serving ${engine.config.repo}\n  ${url}\n`);
  if (options.open && !openSignedIn(engine.config.stateDir, signIn))
    process.stderr.write("dispatch: no browser opener found (xdg-open, open, wslview): open the URL above\n");
  await new Promise<void>((resolve) => {
    const quit = () => resolve();
    process.once("SIGINT", quit);
    process.once("SIGTERM", quit);
  });
  stop();
  await engine.settle();
  engine.close();
  return 0;
}
