#!/usr/bin/env bun
/**
 * The `dispatch` CLI's entry. It answers `dispatch status` from the state folder alone while the
 * repository's server keeps it true (cli/quick-status.ts), and loads the engine, lazily, for
 * everything else: a command pays only for the modules it uses. Errors map to exit codes.
 */
import { describe, exitCode } from "./errors.ts";

async function run(argv: string[]): Promise<number> {
  const rest = argv.slice(1).filter((a) => a !== "--json");
  if (argv[0] === "status" && rest.length === 0) {
    const { quickStatus } = await import("./cli/quick-status.ts");
    const code = quickStatus(process.env, process.env.INIT_CWD || process.cwd(), argv.includes("--json"));
    if (code !== null) return code;
  }
  const { main } = await import("./cli/commands.ts");
  return main(argv);
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`dispatch: ${describe(error)}\n`);
  process.exitCode = exitCode(error);
}
// Watchers and timers must not keep a finished command alive.
process.exit(process.exitCode);
