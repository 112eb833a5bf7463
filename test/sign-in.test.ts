import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI } from "./helpers/repo.ts";
import { World, waitFor } from "./helpers/world.ts";

describe("serve --open", () => {
  test("the browser is opened on a private file with a one-time code: the token is on no command line", async () => {
    await using world = new World();
    // A browser opener that records what it was given and stays open, as a browser would.
    const bin = join(world.repo.root, "bin");
    mkdirSync(bin);
    const given = join(world.repo.root, "opener-args");
    writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\necho $$ > '${given}.pid'\nprintf '%s\\n' "$@" > '${given}'\nexec sleep 30\n`);
    chmodSync(join(bin, "xdg-open"), 0o755);
    const proc = Bun.spawn([process.execPath, CLI, "serve", "--port", "0", "--open"], {
      cwd: world.repo.repo,
      env: world.env({ PATH: `${bin}:${process.env.PATH}` }),
      stdout: "pipe",
      stderr: "inherit",
    });
    try {
      const opened = String(await waitFor("the opener", () => existsSync(given) && readFileSync(given, "utf8").trim())).split("\n");
      const info = JSON.parse(readFileSync(join(world.stateDir, "server.json"), "utf8"));
      // Every command line on the machine, while the opener runs.
      const ps = Bun.spawnSync(["ps", "-eo", "args"], { stdout: "pipe" }).stdout.toString();
      expect(ps).not.toContain(info.token);
      expect(opened).toHaveLength(1);
      const file = fileURLToPath(opened[0] as string);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const page = readFileSync(file, "utf8");
      expect(page).not.toContain(info.token);
      const address = /url=([^"]+)"/.exec(page)?.[1]?.replaceAll("&amp;", "&") as string;
      expect(address).toStartWith(`${info.url}/?code=`);

      // The code buys the cookie once; the file is gone once it is spent.
      const first = await fetch(address, { redirect: "manual" });
      expect(first.status).toBe(302);
      expect(first.headers.get("set-cookie")).toContain(`dispatch_token_${info.port}=${info.token}`);
      const again = await fetch(address, { redirect: "manual" });
      expect(again.status).toBe(401);
      expect(again.headers.get("set-cookie")).toBeNull();
      expect(await again.text()).toContain("This sign-in link was used already");
      await waitFor("the file to go", () => !existsSync(file));
    } finally {
      proc.kill();
      await proc.exited;
      if (existsSync(`${given}.pid`)) process.kill(Number(readFileSync(`${given}.pid`, "utf8")), "SIGKILL");
    }
  });
});
