#!/usr/bin/env bun
/**
 * The `dispatch` CLI's entry. It answers `dispatch status` and `dispatch runs` from the state folder alone while the
 * repository's server keeps it true (cli/quick-status.ts), and loads the engine, lazily, for
 * everything else: a command pays only for the modules it uses (this file imports nothing up
 * front). Errors map to exit codes.
 */
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
  if (argv[0] === "status" || argv[0] === "runs") {
    const code = await (await quickPath()).quickAnswer(argv, process.env, process.env.INIT_CWD || process.cwd());
    if (code !== null) return code;
  }
  const { main } = await import("./cli/commands.ts");
  return main(argv);
}

if (import.meta.main) {
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (error) {
    const { describe, exitCode } = await import("./errors.ts");
    process.stderr.write(`dispatch: ${describe(error)}\n`);
    process.exitCode = exitCode(error);
  }
  // Watchers and timers must not keep a finished command alive.
  process.exit(process.exitCode);
}
