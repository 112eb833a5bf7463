import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { UI_DIR } from "../src-ext/server/static-ui.ts";
import { launch } from "../test/e2e/browser.ts";

export type Measured = { name: string; baseline: string; ours: number; base: number; unit: string };

/** Gzipped size of the built UI: what index.html loads (scripts, preloads, styles), and the rest (lazy chunks). */
export function bundleSizes(): string[] {
  const dir = join(UI_DIR, "assets");
  const html = readFileSync(join(UI_DIR, "index.html"), "utf8");
  const initial = new Set([...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+)"/g)].map((m) => m[1] as string));
  const files = readdirSync(dir).map((f) => ({ f, size: statSync(join(dir, f)).size, gz: gzipSync(readFileSync(join(dir, f))).length }));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const sum = (pick: (f: string) => boolean) =>
    files.filter((x) => pick(x.f)).reduce((a, x) => ({ size: a.size + x.size, gz: a.gz + x.gz }), { size: 0, gz: 0 });
  const js = sum((f) => initial.has(f) && f.endsWith(".js"));
  const css = sum((f) => initial.has(f) && f.endsWith(".css"));
  const lazy = sum((f) => !initial.has(f));
  return [
    `UI JavaScript loaded with the page: ${kb(js.gz)} gzipped (${kb(js.size)} raw)`,
    `UI CSS loaded with the page: ${kb(css.gz)} gzipped (${kb(css.size)} raw)`,
    `Loaded later, when needed (xterm for terminal logs, the desktop bridge): ${kb(lazy.gz)} gzipped (${kb(lazy.size)} raw)`,
  ];
}

/**
 * Navigation to a rendered list of every task, in Chromium, against a bare Bun.serve page that
 * renders the same number of rows from inline HTML (the floor for "a page with that table").
 */
export async function listRender(url: string, token: string, rows: number): Promise<Measured[]> {
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
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        await page.goto("about:blank");
        const t = performance.now();
        await go();
        await ready();
        times.push(performance.now() - t);
      }
      return times.sort((a, b) => a - b)[3] ?? 0;
    };
    const count = `tbody tr[data-task]:nth-child(${rows})`;
    const ours = await time(
      () => page.goto(`${url}/#/`),
      () => page.waitForSelector(count),
    );
    const base = await time(
      () => page.goto(`http://127.0.0.1:${bare.port}/`),
      () => page.waitForSelector(`tr:nth-child(${rows})`),
    );
    return [
      {
        name: `navigation to a rendered list of ${rows} tasks (Chromium)`,
        baseline: `bare Bun.serve page with ${rows} static rows`,
        ours,
        base,
        unit: "ms",
      },
    ];
  } finally {
    await browser.close();
    bare.stop(true);
  }
}
