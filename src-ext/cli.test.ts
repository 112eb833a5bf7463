import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quickPath } from "./cli.ts";

const dir = mkdtempSync(join(tmpdir(), "dispatch-quick-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in bundle built from one real source, told apart from the sources by `stand_in`. */
function bundle(name: string, builtAt: Date): string {
  const file = join(dir, name);
  writeFileSync(file, 'export const SOURCES = ["src-ext/errors.ts"];\nexport const stand_in = true;\nexport function quickStatus() {}\n');
  utimesSync(file, builtAt, builtAt);
  return file;
}

test("the quick path loads the bundle while no source it lists is newer than it", async () => {
  const fresh = await quickPath(bundle("fresh.js", new Date(Date.now() + 3_600_000)));
  expect("stand_in" in fresh).toBe(true);
});

test("a bundle older than one of its sources (an edited checkout) is passed over for the sources", async () => {
  const stale = await quickPath(bundle("stale.js", new Date(0)));
  expect("stand_in" in stale).toBe(false);
  expect(typeof stale.quickStatus).toBe("function");
});

test("without a bundle (before npm install) the sources answer", async () => {
  const none = await quickPath(join(dir, "missing.js"));
  expect(typeof none.quickStatus).toBe("function");
});
