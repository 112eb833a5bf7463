#!/bin/sh
# Neutralino runs this (through /bin/sh -c) as the js.dispatch.engine extension, with the startup
# JSON on stdin. Bun comes from the app's node_modules (npm install), else from the PATH; the
# engine from the sources, else from the bundle `npm run build` made.
app=$(cd "$(dirname "$0")/../.." && pwd)
bun="$app/node_modules/bun/bin/bun.exe"
[ -x "$bun" ] || bun=$(command -v bun) || { echo "dispatch: bun not found (run npm install in $app)" >&2; exit 1; }
if [ -f "$app/src-ext/neutralino/main.ts" ]; then exec "$bun" "$app/src-ext/neutralino/main.ts"; fi
exec "$bun" "$app/extensions/dispatch/engine.js"
