import type { Engine } from "../engine.ts";
import { spawnChild } from "../proc/spawn.ts";
import { startServer } from "../server/server.ts";

/** Opens a URL in the default browser, where one of the usual openers exists. */
function openBrowser(url: string): boolean {
  const opener = ["xdg-open", "open", "wslview"].map((c) => Bun.which(c)).find(Boolean);
  if (!opener) return false;
  spawnChild([opener, url], { detached: true });
  return true;
}

/** `dispatch serve`: the API until SIGINT or SIGTERM; running sessions and jobs live on. */
export async function serveCommand(engine: Engine, options: { port: number; open: boolean }): Promise<number> {
  engine.watchRuns();
  engine.tasks.watch();
  const { info, stop } = startServer(engine, { port: options.port });
  const url = `${info.url}/?token=${info.token}`;
  process.stdout.write(`Dispatch is serving ${engine.config.repo}\n  ${url}\n`);
  if (options.open && !openBrowser(url))
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
