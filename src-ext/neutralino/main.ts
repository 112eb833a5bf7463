/**
 * Entry of the Neutralino extension (`js.dispatch.engine`). Neutralino writes its connection
 * info to stdin and closes it; started by hand (stdin a terminal, or empty), it serves the
 * browser UI like `dispatch serve`.
 */
import { serveCommand } from "../cli/serve-command.ts";
import { loadConfig } from "../config.ts";
import { Engine } from "../engine.ts";
import { describe } from "../errors.ts";
import { runExtension } from "./extension.ts";
import { readStartup } from "./protocol.ts";

try {
  const info = process.stdin.isTTY ? null : await readStartup(Bun.stdin.stream());
  if (info) {
    await runExtension(info);
  } else {
    const config = loadConfig();
    process.exit(await serveCommand(await Engine.open(config, { watch: false }), { port: config.port, open: false }));
  }
} catch (error) {
  console.error(`dispatch: ${describe(error)}`);
  process.exit(1);
}
