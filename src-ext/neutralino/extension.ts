import { loadConfig } from "../config.ts";
import { Engine } from "../engine.ts";
import { startServer } from "../server/server.ts";
import { NeutralinoBridge } from "./bridge.ts";
import { DesktopShell } from "./desktop-shell.ts";
import type { StartupInfo } from "./protocol.ts";

/**
 * The Bun process as a Neutralino extension: the engine, the loopback API (which the window also
 * uses), and the tray. When the runtime's socket closes the app has quit, and so do we: the runs
 * live on in tmux and as detached jobs (the runtime never kills its extensions).
 */
export async function runExtension(info: StartupInfo): Promise<void> {
  const config = loadConfig();
  const engine = await Engine.open(config, { watch: true });
  // The window's page is served by the runtime: its origin may call the API.
  const windowOrigins = [`http://127.0.0.1:${info.nlPort}`, `http://localhost:${info.nlPort}`];
  const server = startServer(engine, { port: config.port, extraOrigins: windowOrigins });
  const bridge = new NeutralinoBridge(info);
  const shell = new DesktopShell(engine, bridge, { url: server.info.url, token: server.info.token });
  bridge.onClose(async () => {
    shell.stop();
    server.stop();
    await engine.settle();
    engine.close();
    process.exit(0);
  });
  await bridge.connect();
  await shell.start();
  console.log(`dispatch: desktop extension serving ${config.repo} at ${server.info.url}`);
}
