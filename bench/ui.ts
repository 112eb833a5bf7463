import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { UI_DIR } from "../src-ext/server/static-ui.ts";
import { launch } from "../test/e2e/browser.ts";
import { type Figure, figure, spread } from "./stats.ts";

/** Gzipped size of the built UI: what index.html loads (scripts, preloads), against the goal; styles and lazy chunks beside it. */
export function bundleSize(): Figure {
  const dir = join(UI_DIR, "assets");
  const html = readFileSync(join(UI_DIR, "index.html"), "utf8");
  const initial = new Set([...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+)"/g)].map((m) => m[1] as string));
  const files = readdirSync(dir).map((f) => ({ f, size: statSync(join(dir, f)).size, gz: gzipSync(readFileSync(join(dir, f))).length }));
  const sum = (pick: (f: string) => boolean) =>
    files.filter((x) => pick(x.f)).reduce((a, x) => ({ size: a.size + x.size, gz: a.gz + x.gz }), { size: 0, gz: 0 });
  const js = sum((f) => initial.has(f) && f.endsWith(".js"));
  const css = sum((f) => initial.has(f) && f.endsWith(".css"));
  const lazy = sum((f) => !initial.has(f));
  const kb = (n: number) => n / 1024;
  return figure({
    name: "UI JavaScript loaded with the page (gzip)",
    unit: "KiB",
    ours: kb(js.gz),
    goal: [{ on: "value", max: 100 }],
    note: "loaded later, when needed: xterm for terminal logs, the Changes tab, the desktop bridge",
    extra: { rawKiB: kb(js.size), cssGzipKiB: kb(css.gz), lazyGzipKiB: kb(lazy.gz) },
  });
}

/**
 * Navigation to the board showing every task, in Chromium, against a bare Bun.serve page that
 * renders the same number of rows from inline HTML (the floor for "a page with that table"). The
 * board renders the rows on screen only (src-ui/lib/row-window.svelte.ts): it is ready when its
 * first rows are there and it counts every task; reaching the last row by scrolling to the end is
 * measured beside it (`toEndMs`).
 */
export async function listRender(url: string, token: string, rows: number, n: number): Promise<Figure> {
  const table = `<!doctype html><table>${Array.from({ length: rows }, (_, i) => `<tr data-task="T-${i}"><td>T-${i}</td><td>Task number ${i}</td><td>todo</td></tr>`).join("")}</table>`;
  const bare = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(table, { headers: { "content-type": "text/html" } }),
  });
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/?token=${token}`);
    await page.waitForSelector("tbody tr[data-task]");
    const time = async (go: () => Promise<unknown>, ready: () => Promise<unknown>) => {
      await page.goto("about:blank");
      const t = performance.now();
      await go();
      await ready();
      return performance.now() - t;
    };
    const ready = () =>
      page.waitForFunction(
        (n) => document.querySelector("tbody tr[data-task]") && document.querySelector(".count")?.textContent === `${n} of ${n} tasks`,
        rows,
      );
    const ours: number[] = [];
    const base: number[] = [];
    const toEnd: number[] = [];
    // One untimed round each, then in turn.
    for (let i = -1; i < n; i++) {
      const a = await time(() => page.goto(`${url}/#/`), ready);
      const t = performance.now();
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await page.waitForSelector(`tbody tr[data-row="${rows - 1}"]`);
      if (i >= 0) toEnd.push(performance.now() - t);
      const b = await time(
        () => page.goto(`http://127.0.0.1:${bare.port}/`),
        () => page.waitForSelector(`tr:nth-child(${rows})`),
      );
      if (i < 0) continue;
      ours.push(a);
      base.push(b);
    }
    return figure({
      name: `UI first render of ${rows} tasks (navigation → the board ready, Chromium)`,
      unit: "ms",
      ours: spread(ours),
      baseline: { name: `bare Bun.serve page: a static table of the same ${rows} rows`, measured: spread(base) },
      goal: [{ on: "ratio", max: 2 }],
      note: "ready: the first rows shown and every task counted (the board renders the rows on screen; the static table renders every row, which the board no longer has to); toEndMs: scrolling to the end until the last row is there",
      extra: { toEndMs: spread(toEnd).median },
    });
  } finally {
    await browser.close();
    bare.stop(true);
  }
}
