import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * Walks up from `start` to the first folder holding `.git` or `dispatch.config.toml`: no process
 * spawned, nothing else imported (the CLI's quick answers load only this).
 */
export function findRepo(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, ".git")) || existsSync(join(dir, "dispatch.config.toml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}
