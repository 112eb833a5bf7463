#!/usr/bin/env node
// `dispatch` on the PATH (npm link): runs the CLI with the Bun that `npm install` put in this
// package, so users need no global Bun. Signals go to the child; its exit code is ours.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
let bun;
try {
  // The npm package names its binary bun.exe on every platform.
  bun = join(dirname(require.resolve("bun/package.json")), "bin", "bun.exe");
} catch {
  bun = "bun";
}
const child = spawn(bun, [join(here, "cli.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
// Ctrl-C already reaches the child (same process group): only pass on what was sent to us alone.
process.on("SIGINT", () => {});
for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("error", (error) => {
  console.error(`dispatch: cannot run bun (${error.message}): run npm install in ${dirname(here)}`);
  process.exit(1);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
