import { existsSync } from "node:fs";
import type { Engine } from "../engine.ts";
import { describe } from "../errors.ts";
import { runForeground } from "../proc/spawn.ts";
import type { AttachResult } from "../protocol/api.ts";
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
    const off = engine.bus.on("run.ended", (ended) => {
      if (ended.run.runId === run.runId) follower.end();
    });
    const current = engine.run(run.runId);
    if (!follow || !current || current.state !== "running") follower.end();
    follower.pump();
  });
}

/** Exit code of a finished headless run as the CLI reports it. */
export function runExitCode(engine: Engine, runId: string): number {
  const run = engine.run(runId);
  if (!run) return 1;
  if (run.state === "finished") return 0;
  if (run.exitCode !== null && run.state === "failed") return run.exitCode || 1;
  return run.state === "stopped" ? 130 : 1;
}

/** `dispatch <mode> <id>`: start or reuse, then follow (headless) or attach (interactive). */
export async function runCommand(
  engine: Engine,
  mode: string,
  id: string,
  extras: string[],
  options: { detach: boolean; json: boolean; resume?: boolean },
): Promise<number> {
  const result = await engine.dispatch(mode, id, extras, "cli", { resume: options.resume });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const verb = result.reused ? "already running" : "started";
    process.stderr.write(`dispatch: ${verb}: ${result.session} (run ${result.runId})\n`);
    if (result.notice) process.stderr.write(`dispatch: ${result.notice}\n`);
  }
  if (options.detach || result.state !== "running") {
    if (result.state !== "running") process.stderr.write(`${describeStatus(mode, id, engine.status(mode, id))}\n`);
    return result.state === "running" ? 0 : runExitCode(engine, result.runId);
  }
  if (!result.headless) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      // No terminal of our own: open (or raise) the user's terminal on the session.
      await attachCommand(engine, mode, id, false, (text) => process.stderr.write(`dispatch: ${text}\n`)).catch((error: unknown) => {
        process.stderr.write(
          `dispatch: ${describe(error)}\ndispatch: attach with: ${engine.attachArgv(result.session, result.runId).join(" ")}\n`,
        );
      });
      return 0;
    }
    return attachHere(engine, result.session, result.runId);
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
  const run = engine.run(runId);
  if (run && run.state !== "finished") {
    process.stderr.write(
      `dispatch: ${mode} on ${id} ${run.state}${run.exitCode !== null ? ` with exit code ${run.exitCode}` : ""}${run.reason ? `: ${run.reason}` : ""}\n`,
    );
  }
  return code;
}

/**
 * Attaches the calling terminal to the session; inside tmux already, switches this client to it
 * (a nested attach is refused). Watching exits meanwhile lets the dead pane close when the agent ends.
 */
export async function attachHere(engine: Engine, session: string, runId: string): Promise<number> {
  engine.watchRuns();
  // Inside tmux a nested attach is refused: move this client instead.
  const argv = engine.attachArgv(session, runId, process.env.TMUX ? "switch" : "attach");
  return (await runForeground(argv)) === 0 ? 0 : 1;
}

/**
 * `dispatch attach`: opens or raises the user's terminal on the session, then waits (bounded) to
 * say how it went: the window attached, the terminal failed with its own error, or nothing opened
 * and how to attach by hand.
 */
export async function attachCommand(
  engine: Engine,
  mode: string,
  id: string,
  json: boolean,
  say: (text: string) => void = (text) => process.stdout.write(`${text}\n`),
): Promise<number> {
  engine.watchRuns();
  const { now, outcome } = await engine.attach(mode, id);
  const final: AttachResult = outcome ? await outcome : now;
  if (json) say(JSON.stringify(final, null, 2));
  else say(final.message);
  return final.action === "failed" ? 1 : 0;
}
