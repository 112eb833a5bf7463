/**
 * Runs one agent and records how it ended. It is the agent's parent in both kinds of run:
 * in tmux it reaps the real `claude`, which otherwise stayed a zombie under `pipe-pane` (DESIGN
 * §11); for headless runs it outlives the extension. Either way it writes the exit code next to
 * the log, so an exit is never lost. Started as `bun launcher.ts SPEC.json`.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { dirname } from "node:path";
import { LaunchSpec } from "./launch-spec.ts";
import { lastResultEvent } from "./result-event.ts";
import type { ExitRecord } from "./run-files.ts";

/** How much of the log's end is read for the final `result` event. */
const TAIL_BYTES = 8 * 1024 * 1024;
const KILL_GRACE_MS = 5000;

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

function writeExit(file: string, record: ExitRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(record));
  renameSync(temp, file);
}

async function main(): Promise<number> {
  const specFile = process.argv[2];
  if (!specFile) {
    console.error("usage: launcher SPEC.json");
    return 2;
  }
  const spec = LaunchSpec.parse(JSON.parse(readFileSync(specFile, "utf8")));
  let reason: string | null = null;
  let child: ReturnType<typeof Bun.spawn>;
  try {
    child = Bun.spawn(spec.argv, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdin: spec.stdin === null ? "inherit" : new TextEncoder().encode(spec.stdin),
      stdout: "inherit",
      stderr: "inherit",
    });
  } catch (error) {
    reason = `could not start ${spec.argv[0]}: ${error instanceof Error ? error.message : String(error)}`;
    console.error(`dispatch: ${reason}`);
    writeExit(spec.exitFile, { code: 127, signal: null, endedAt: new Date().toISOString(), reason, result: null });
    return 127;
  }
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
  await child.exited;
  clearTimeout(timer);
  const signal = child.signalCode === null || child.signalCode === undefined ? null : String(child.signalCode);
  const signo = signal ? ((constants.signals as Record<string, number>)[signal] ?? 0) : 0;
  const code = child.exitCode ?? 128 + signo;

  let result: ExitRecord["result"] = null;
  if (spec.stdin !== null) {
    const tail = readTail(spec.logFile);
    const final = lastResultEvent(tail);
    result = final?.summary ?? null;
    if (spec.saveTo && code === 0) {
      try {
        mkdirSync(dirname(spec.saveTo), { recursive: true });
        writeFileSync(spec.saveTo, final?.text ?? tail);
      } catch (error) {
        console.error(`dispatch: could not write ${spec.saveTo}: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
  writeExit(spec.exitFile, { code, signal, endedAt: new Date().toISOString(), reason, result });
  return code;
}

process.exit(await main());
