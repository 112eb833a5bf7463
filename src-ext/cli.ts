#!/usr/bin/env bun
/**
 * The `dispatch` CLI's entry. It answers `dispatch status` and `dispatch runs` from the state folder alone while the
 * repository's server keeps it true (cli/quick-status.ts), and loads the engine, lazily, for
 * everything else: a command pays only for the modules it uses. Errors map to exit codes.
 */
import { describe, exitCode } from "./errors.ts";
import { NAME_PATTERN } from "./protocol/names.ts";

/** `status` (newest 50 runs) and `runs [--task ID]` (200), when nothing else is asked: what the quick path answers. */
function quickQuery(argv: string[]): { task: string | null; limit: number } | null {
  const rest = argv.slice(1).filter((a) => a !== "--json");
  if (argv[0] === "status" && rest.length === 0) return { task: null, limit: 50 };
  if (argv[0] !== "runs") return null;
  if (rest.length === 0) return { task: null, limit: 200 };
  // `--task ID` and nothing else; anything else, or an id to refuse, goes the full way (which says what is wrong).
  const task = rest.length === 2 && rest[0] === "--task" ? rest[1] : undefined;
  return task && NAME_PATTERN.test(task) ? { task, limit: 200 } : null;
}

type QuickPath = typeof import("./cli/quick-status.ts");

/**
 * The quick path as `npm install` bundled it (scripts/bundle-quick-cli.ts: one file, about 2 ms
 * sooner than its nine sources), while every source it lists has the mtime and size it was built
 * from; otherwise (an edited checkout, a pull) the sources themselves. Bun's own file API:
 * node:fs costs 3 ms to load.
 */
export async function quickPath(bundle = `${import.meta.dir}/../dist/quick-status.js`): Promise<QuickPath> {
  try {
    const module = (await import(bundle)) as QuickPath & { SOURCES: [string, number, number][] };
    const root = `${import.meta.dir}/..`;
    const same = await Promise.all(
      module.SOURCES.map(async ([path, mtime, size]) => {
        const stat = await Bun.file(`${root}/${path}`).stat();
        return stat.mtimeMs === mtime && stat.size === size;
      }),
    );
    if (same.length > 0 && same.every(Boolean)) return module;
  } catch {
    // No bundle (a checkout before `npm install`), or a source gone: the sources answer.
  }
  return import("./cli/quick-status.ts");
}

async function run(argv: string[]): Promise<number> {
  const query = quickQuery(argv);
  if (query) {
    const { quickStatus } = await quickPath();
    const code = await quickStatus(process.env, process.env.INIT_CWD || process.cwd(), { json: argv.includes("--json"), ...query });
    if (code !== null) return code;
  }
  const { main } = await import("./cli/commands.ts");
  return main(argv);
}

if (import.meta.main) {
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`dispatch: ${describe(error)}\n`);
    process.exitCode = exitCode(error);
  }
  // Watchers and timers must not keep a finished command alive.
  process.exit(process.exitCode);
}
