/**
 * Runs one agent and records how it ended. It is the agent's parent in both kinds of run:
 * in tmux it reaps the real `claude`, which otherwise stayed a zombie under `pipe-pane` (DESIGN
 * §11); for headless runs it outlives the extension. Its first act records where it runs
 * (`pids/`), its last how the agent ended (`exits/`), so a run survives any restart of the engine
 * and even the loss of the database. Started as `bun launcher.ts SPEC.json`.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { startTime } from "../proc/liveness.ts";
import { type Child, spawnChild } from "../proc/spawn.ts";
import { LaunchSpec } from "./launch-spec.ts";
import { lastResultEvent } from "./result-event.ts";
import { type ExitRecord, privateDir, type StartRecord, writeAtomically } from "./run-files.ts";
import { writeInside } from "./save-to.ts";

/** How much of the log's end is read for the final `result` event. */
const TAIL_BYTES = 8 * 1024 * 1024;
/** A timed-out agent gets this long after SIGTERM to end its tools before SIGKILL (systemd's default is 90 s; an agent's tools are quick to stop). */
const KILL_GRACE_MS = 5000;
/** While no folder takes the exit record, it is retried this often: the code stays with us until it is written. */
const EXIT_RETRY_MS = 2000;

function readTail(file: string): string {
  try {
    const size = statSync(file).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, "r");
    readSync(fd, buffer, 0, length, size - length);
    closeSync(fd);
    return buffer.toString("utf8");
  } catch {
    return "";
  }
}

/** Writes the exit record where it can go, and keeps trying until it could: an exit code is never lost. */
async function recordExit(spec: LaunchSpec, record: ExitRecord): Promise<void> {
  for (let said = false; ; said = true) {
    try {
      return writeAtomically(spec.exitFile, record);
    } catch (primary) {
      try {
        privateDir(dirname(spec.exitFallback));
        writeAtomically(spec.exitFallback, record);
        console.error(
          `dispatch: ${spec.exitFile} could not be written (${(primary as Error).message}): recorded the exit in ${spec.exitFallback}`,
        );
        return;
      } catch (fallback) {
        if (!said) {
          console.error(
            `dispatch: cannot record exit code ${record.code} (${(primary as Error).message}; ${(fallback as Error).message}): retrying until ${dirname(spec.exitFile)} is writable`,
          );
        }
      }
    }
    await Bun.sleep(EXIT_RETRY_MS);
  }
}

function recordStart(spec: LaunchSpec, agent?: number): void {
  const record: StartRecord = {
    pid: process.pid,
    pidStart: startTime(process.pid),
    startedAt: new Date().toISOString(),
    ...(agent && { agentPid: agent, agentStart: startTime(agent) }),
  };
  try {
    writeAtomically(spec.pidFile, record);
  } catch (error) {
    // The engine learns the pid from the launch itself; this record only helps after a crash.
    console.error(`dispatch: could not write ${spec.pidFile}: ${(error as Error).message}`);
  }
}

async function main(): Promise<number> {
  const specFile = process.argv[2];
  if (!specFile) {
    console.error("usage: launcher SPEC.json");
    return 2;
  }
  const spec = LaunchSpec.parse(JSON.parse(readFileSync(specFile, "utf8")));
  recordStart(spec);
  let reason: string | null = null;
  let child: Child;
  try {
    child = spawnChild(spec.argv, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdin: spec.stdin === null ? "inherit" : new TextEncoder().encode(spec.stdin),
      stdout: "inherit",
      stderr: "inherit",
    });
  } catch (error) {
    reason = `could not start ${spec.argv[0]}: ${error instanceof Error ? error.message : String(error)}`;
    console.error(`dispatch: ${reason}`);
    await recordExit(spec, { code: 127, signal: null, endedAt: new Date().toISOString(), reason, result: null });
    return 127;
  }
  recordStart(spec, child.pid);
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, forward(signal));

  let timer: ReturnType<typeof setTimeout> | undefined;
  if (spec.timeoutSeconds) {
    timer = setTimeout(() => {
      reason = `timed out after ${spec.timeoutSeconds} s`;
      console.error(`\ndispatch: ${reason}`);
      // The whole process group: the agent and the tools it started. A headless launcher leads
      // its group (it was started detached); this launcher outlives the SIGTERM by forwarding it.
      try {
        process.kill(-process.pid, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
      setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS).unref();
    }, spec.timeoutSeconds * 1000);
  }
  const { code, signal } = await child.exited;
  clearTimeout(timer);

  let result: ExitRecord["result"] = null;
  if (spec.stdin !== null) {
    const tail = readTail(spec.logFile);
    const final = lastResultEvent(tail);
    result = final?.summary ?? null;
    if (spec.saveTo && code === 0) {
      try {
        writeInside(spec.cwd, spec.saveTo, final?.text ?? tail);
      } catch (error) {
        reason = `--save-to: ${error instanceof Error ? error.message : error}`;
        console.error(`dispatch: could not write ${spec.saveTo}: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
  await recordExit(spec, { code, signal, endedAt: new Date().toISOString(), reason, result });
  return code;
}

process.exit(await main());
