import { existsSync } from "node:fs";
import type { Engine } from "../engine.ts";
import { describe } from "../errors.ts";
import { LogFollower } from "../runs/log-follower.ts";
import { describeStatus } from "./format.ts";

/** Prints a run's log to stdout; with `follow`, until the run ends. Resolves with the run's id. */
export function printLog(
  engine: Engine,
  mode: string,
  id: string,
  follow: boolean,
  out: NodeJS.WriteStream = process.stdout,
): Promise<string> {
  const run = engine.logRun(mode, id);
  if (!existsSync(run.logPath)) {
    process.stderr.write(`dispatch: run ${run.runId} has no log (${run.reason ?? "it did not start"})\n`);
    return Promise.resolve(run.runId);
  }
  return new Promise((resolve) => {
    if (follow) engine.watchRuns();
    const follower = new LogFollower(
      run.logPath,
      0,
      (chunk) => (out.write(chunk) ? "ok" : "pause"),
      () => {
        off();
        resolve(run.runId);
      },
    );
    out.on("drain", () => follower.pump());
    const off = engine.bus.on("run.changed", (changed) => {
      if (changed.runId === run.runId && changed.state !== "running") follower.end();
    });
    const current = engine.run(run.runId);
    if (!follow || !current || (current.state !== "running" && current.state !== "starting")) follower.end();
    follower.pump();
  });
}

/** Exit code of a finished headless run as the CLI reports it. */
export function runExitCode(engine: Engine, runId: string): number {
  const row = engine.run(runId);
  if (!row) return 1;
  if (row.state === "finished") return 0;
  if (row.exit_code !== null && row.state === "failed") return row.exit_code;
  return row.state === "stopped" ? 130 : 1;
}

/** `dispatch <mode> <id>`: start or reuse, then follow (headless) or attach (interactive). */
export async function runCommand(
  engine: Engine,
  mode: string,
  id: string,
  extras: string[],
  options: { detach: boolean; json: boolean },
): Promise<number> {
  const result = await engine.dispatch(mode, id, extras, "cli");
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const verb = result.reused ? "already running" : "started";
    process.stderr.write(`dispatch: ${verb}: ${result.session} (run ${result.runId})\n`);
  }
  if (options.detach || result.state !== "running") {
    if (result.state !== "running") process.stderr.write(`${describeStatus(mode, id, engine.status(mode, id))}\n`);
    return result.state === "running" ? 0 : runExitCode(engine, result.runId);
  }
  if (!result.headless) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      // No terminal of our own: open (or raise) the user's terminal on the session.
      const opened = await engine
        .attach(mode, id)
        .catch((error: unknown) => ({ message: describe(error), command: engine.tmux.attachArgv(result.session) }));
      process.stderr.write(`dispatch: ${opened.message}\n`);
      if (!("action" in opened) || opened.action === "none") process.stderr.write(`dispatch: attach with: ${opened.command.join(" ")}\n`);
      return 0;
    }
    return attachHere(engine, result.session);
  }
  const interrupt = () => {
    process.stderr.write(`\ndispatch: stopped following; the run goes on (dispatch stop ${mode} ${id} ends it)\n`);
    process.exit(130);
  };
  process.once("SIGINT", interrupt);
  // With --json, stdout holds only the JSON answer: the log goes to stderr.
  const runId = await printLog(engine, mode, id, true, options.json ? process.stderr : process.stdout);
  process.off("SIGINT", interrupt);
  const code = runExitCode(engine, runId);
  const row = engine.run(runId);
  if (row && row.state !== "finished") {
    process.stderr.write(
      `dispatch: ${mode} on ${id} ${row.state}${row.exit_code !== null ? ` with exit code ${row.exit_code}` : ""}${row.reason ? `: ${row.reason}` : ""}\n`,
    );
  }
  return code;
}

/**
 * Attaches the calling terminal to the session; inside tmux already, switches this client to it
 * (a nested attach is refused). Watching exits meanwhile lets the dead pane close when the agent ends.
 */
export async function attachHere(engine: Engine, session: string): Promise<number> {
  engine.watchRuns();
  const argv = process.env.TMUX ? engine.tmux.argv(["switch-client", "-t", `=${session}`]) : engine.tmux.attachArgv(session);
  const child = Bun.spawn(argv, { stdio: ["inherit", "inherit", "inherit"] });
  return (await child.exited) === 0 ? 0 : 1;
}
