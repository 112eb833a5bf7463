import { existsSync, statSync } from "node:fs";
import { join, normalize, sep } from "node:path";

/** The built UI (`npm run build:ui`, also run by `npm install`): served at / by the extension. */
export const UI_DIR = join(import.meta.dir, "..", "..", "resources", "app");

export function uiBuilt(): boolean {
  return existsSync(join(UI_DIR, "index.html"));
}

export function indexHtml(): Response {
  return new Response(Bun.file(join(UI_DIR, "index.html")), {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...PAGE_HEADERS },
  });
}

/** Headers of every page: no framing by other sites, no inline script, only our own origin. */
export const PAGE_HEADERS = {
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

export const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Dispatch</title>
<body style="font:15px system-ui;max-width:40em;margin:4em auto;line-height:1.5">
<h1>Dispatch</h1><p>The API is running, but the UI is not built: run <code>npm run build:ui</code>
(<code>npm install</code> does it too) and reload.</p></body>`;

export const NEED_TOKEN = `<!doctype html><meta charset="utf-8"><title>Dispatch: sign in</title>
<body style="font:15px system-ui;max-width:40em;margin:4em auto;line-height:1.5">
<h1>Dispatch needs its token</h1><p>Open the address that <code>dispatch serve</code> printed
(it ends in <code>?token=…</code>), or run <code>dispatch serve --open</code>. The token is also in
<code>.run/server.json</code> in your repository.</p></body>`;

export const CODE_SPENT = `<!doctype html><meta charset="utf-8"><title>Dispatch: sign in</title>
<body style="font:15px system-ui;max-width:40em;margin:4em auto;line-height:1.5">
<h1>This sign-in link was used already</h1><p>A link from <code>dispatch serve --open</code> opens
Dispatch once, within two minutes. Run <code>dispatch serve --open</code> again, or open the address
that <code>dispatch serve</code> printed.</p></body>`;

export function htmlPage(html: string, status: number): Response {
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8", ...PAGE_HEADERS } });
}

/** A file under `assets/` (hashed names: cached for good), or null. The code is not secret. */
export function asset(pathname: string): Response | null {
  if (!pathname.startsWith("/assets/")) return null;
  let file: string;
  try {
    file = normalize(join(UI_DIR, decodeURIComponent(pathname)));
  } catch {
    return null;
  }
  if (!file.startsWith(join(UI_DIR, "assets") + sep) || !existsSync(file) || !statSync(file).isFile()) return null;
  return new Response(Bun.file(file), {
    headers: { "cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff" },
  });
}
