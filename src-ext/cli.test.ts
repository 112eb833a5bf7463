import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quickPath } from "./cli.ts";

const dir = mkdtempSync(join(tmpdir(), "dispatch-quick-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in bundle built from one real source, as it is or as it was (`changed`), told apart from the sources by `stand_in`. */
function bundle(name: string, changed: boolean): string {
  const source = statSync(join(import.meta.dir, "errors.ts"));
  const listed = [["src-ext/errors.ts", changed ? source.mtimeMs - 1000 : source.mtimeMs, source.size]];
  const file = join(dir, name);
  writeFileSync(
    file,
    `export const SOURCES = ${JSON.stringify(listed)};\nexport const stand_in = true;\nexport function quickAnswer() {}\n`,
  );
  return file;
}

test("the quick path loads the bundle while every source it lists is as it was built", async () => {
  const fresh = await quickPath(bundle("fresh.js", false));
  expect("stand_in" in fresh).toBe(true);
});

test("a bundle one of whose sources changed since (an edit, a pull) is passed over for the sources", async () => {
  const stale = await quickPath(bundle("stale.js", true));
  expect("stand_in" in stale).toBe(false);
  expect(typeof stale.quickAnswer).toBe("function");
});

test("without a bundle (before npm install) the sources answer", async () => {
  const none = await quickPath(join(dir, "missing.js"));
  expect(typeof none.quickAnswer).toBe("function");
});
