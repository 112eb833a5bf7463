/**
 * Run by `npm install` (the `prepare` script): puts the Neutralino runtime where `dispatch app`
 * and `npm start` look for it (bin/, git-ignored). `neu update` where GitHub's releases can be
 * reached; otherwise the same runtime from ../shared/neutralino/ when that folder exists (it was
 * built from the framework's sources; see its README). It never fails the install: without a
 * runtime, `npm start` serves the browser UI, and this says how to get one.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { APP_ROOT, runtimePath } from "../src-ext/cli/app-command.ts";
import { spawnChild } from "../src-ext/proc/spawn.ts";

const RELEASES = "https://github.com/neutralinojs/neutralinojs/releases";
/** Offline, DNS fails within milliseconds here; a slow network gets a few seconds before we fall back. */
const REACH_TIMEOUT_MS = 5000;
/** neu update downloads ~20 MB of binaries. */
const UPDATE_TIMEOUT_MS = 180_000;

const say = (text: string) => process.stderr.write(`dispatch: ${text}\n`);
const runtime = runtimePath();

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(REACH_TIMEOUT_MS) });
    return res.ok;
  } catch {
    return false;
  }
}

async function neuUpdate(): Promise<boolean> {
  const neu = join(APP_ROOT, "node_modules", ".bin", "neu");
  if (!existsSync(neu)) return false;
  const child = spawnChild([neu, "update"], { cwd: APP_ROOT, stdout: "inherit", stderr: "inherit" });
  const timer = setTimeout(() => child.kill("SIGTERM"), UPDATE_TIMEOUT_MS);
  const { code } = await child.exited;
  clearTimeout(timer);
  return code === 0 && existsSync(runtime);
}

function fromShared(): boolean {
  const shared = join(APP_ROOT, "..", "shared", "neutralino", basename(runtime));
  if (!existsSync(shared)) return false;
  mkdirSync(dirname(runtime), { recursive: true });
  copyFileSync(shared, runtime);
  chmodSync(runtime, 0o755);
  say(`copied the Neutralino runtime from ${shared} to ${runtime}`);
  return true;
}

if (!existsSync(runtime)) {
  const got = ((await reachable(RELEASES)) && (await neuUpdate())) || fromShared();
  if (!got) {
    say(
      `no Neutralino runtime at ${runtime}: run \`npx neu update\` (needs GitHub) to get it; until then \`npm start\` serves the browser UI`,
    );
  }
}
