/**
 * `npm run build`: release bundles of the desktop app with `neu build`, when the Neutralino
 * runtime is in bin/ (`npx neu update` puts it there on a machine with internet). The engine is
 * bundled with Bun into extensions/dispatch/ so the release needs no sources, only Bun.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const BIN = join(ROOT, "bin");
const EXT = join(ROOT, "extensions", "dispatch");

function run(argv: string[]): void {
  const r = Bun.spawnSync(argv, { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) {
    console.error(`build: ${argv.join(" ")} failed`);
    process.exit(1);
  }
}

const runtimes = existsSync(BIN) ? readdirSync(BIN).filter((f) => f.startsWith("neutralino-")) : [];
if (runtimes.length === 0) {
  console.error(
    "build: missing the Neutralino runtime in bin/ (neutralino-<os>_<arch>).\n" +
      "  On a machine with internet: npx neu update\n" +
      "  Or copy a runtime binary there (this repository's CI copies ../shared/neutralino/neutralino-linux_x64).",
  );
  process.exit(1);
}

run([process.execPath, "x", "vite", "build", "--logLevel", "warn"]);
// The client library neu expects (cli.clientLibrary); the UI itself bundles @neutralinojs/lib.
mkdirSync(join(ROOT, "resources", "js"), { recursive: true });
cpSync(join(ROOT, "node_modules", "@neutralinojs", "lib", "dist", "neutralino.js"), join(ROOT, "resources", "js", "neutralino.js"));
// The engine as one file, the run launcher (a shell script) beside it, and the built-in modes.
run([process.execPath, "build", "src-ext/neutralino/main.ts", "--target=bun", "--outfile", join(EXT, "engine.js")]);
cpSync(join(ROOT, "src-ext", "runs", "launcher.sh"), join(EXT, "launcher.sh"));
cpSync(join(ROOT, "src-ext", "modes", "builtin"), join(EXT, "modes", "builtin"), { recursive: true });
// neu build packs whatever lies in .tmp/ (the runtime's data folder): start clean.
rmSync(join(ROOT, ".tmp"), { recursive: true, force: true });
run([process.execPath, "x", "neu", "build", "--release"]);
console.log(`build: bundles in ${join(ROOT, "dist")} for ${runtimes.join(", ")}`);
