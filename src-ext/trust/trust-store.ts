import { mkdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { writePrivateFile } from "../fs/private-file.ts";
import type { TrustItem } from "./repo-content.ts";

/**
 * The user's trust decisions, outside every repository (a repository cannot trust itself):
 * `$XDG_CONFIG_HOME/dispatch/trust.json` (or `~/.config/…`), 0600, keyed by the repository's
 * path. It records the hash of each item the user accepted; anything else is untrusted.
 */
const TrustFile = z.object({
  repos: z.record(z.string(), z.object({ trustedAt: z.string(), items: z.record(z.string(), z.string()) })).default({}),
});
type TrustFile = z.infer<typeof TrustFile>;

export function defaultTrustFile(env: Record<string, string | undefined> = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "dispatch", "trust.json");
}

const key = (item: Pick<TrustItem, "kind" | "path">) => `${item.kind}:${item.path}`;

export class TrustStore {
  private cache: { mtimeMs: number; data: TrustFile } | null = null;

  constructor(readonly file: string = defaultTrustFile()) {}

  /** Read when it changed (another process, the CLI, may have trusted meanwhile). */
  private read(): TrustFile {
    let mtimeMs = -1;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      return { repos: {} };
    }
    if (this.cache?.mtimeMs === mtimeMs) return this.cache.data;
    let data: TrustFile = { repos: {} };
    try {
      data = TrustFile.parse(JSON.parse(readFileSync(this.file, "utf8")));
    } catch {
      // A damaged file trusts nothing.
    }
    this.cache = { mtimeMs, data };
    return data;
  }

  isTrusted(repo: string, item: TrustItem): boolean {
    return this.read().repos[repo]?.items[key(item)] === item.hash;
  }

  /** Whether the user ever trusted this repository (to say "changed since you trusted it"). */
  everTrusted(repo: string): boolean {
    return this.read().repos[repo] !== undefined;
  }

  trust(repo: string, items: TrustItem[]): void {
    const data = this.read();
    const record = { trustedAt: new Date().toISOString(), items: Object.fromEntries(items.map((i) => [key(i), i.hash])) };
    this.write({ repos: { ...data.repos, [repo]: record } });
  }

  revoke(repo: string): void {
    const { [repo]: _, ...rest } = this.read().repos;
    this.write({ repos: rest });
  }

  private write(data: TrustFile): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    writePrivateFile(this.file, `${JSON.stringify(data, null, 2)}\n`);
    this.cache = null;
  }
}
