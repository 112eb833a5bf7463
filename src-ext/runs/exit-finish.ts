import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { LaunchSpec } from "./launch-spec.ts";
import { lastResultEvent } from "./result-event.ts";
import { type ExitRecord, type RunFiles, writeAtomically } from "./run-files.ts";
import { writeInside } from "./save-to.ts";

/** How much of the log's end is read for the final `result` event (a result line is a few KB; tools can print much more before it). */
const TAIL_BYTES = 8 * 1024 * 1024;

function readTail(file: string): string {
  try {
    const size = statSync(file).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, "r");
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return buffer.toString("utf8");
  } catch {
    return "";
  }
}

/**
 * What a headless run's exit means beyond its code, read once by the engine when it first sees the
 * exit record (the launcher is a shell and reads no JSON): Claude Code's final `result` event from
 * the log's end, and `--save-to`, whose file gets the final answer after a success (a refusal is
 * the run's reason). The finished record is written back, so this happens once per run.
 */
export function finishExit(files: RunFiles, runId: string, exit: ExitRecord): ExitRecord {
  if (exit.finished) return exit;
  let spec: LaunchSpec | null = null;
  try {
    spec = LaunchSpec.parse(JSON.parse(readFileSync(files.spec(runId), "utf8")));
  } catch {
    // No spec (a run rebuilt from tmux alone): the code is all there is.
  }
  let { result, reason } = exit;
  if (spec && spec.stdin !== null) {
    const tail = readTail(spec.logFile);
    const final = lastResultEvent(tail);
    result ??= final?.summary ?? null;
    if (spec.saveTo && exit.code === 0) {
      try {
        writeInside(spec.cwd, spec.saveTo, final?.text ?? tail);
      } catch (error) {
        reason ??= `--save-to: ${error instanceof Error ? error.message : error}`;
      }
    }
  }
  const finished: ExitRecord = { ...exit, result, reason, finished: true };
  try {
    writeAtomically(files.exit(runId), finished);
  } catch {
    // exits/ cannot take it now: read again next time, with the same outcome.
  }
  return finished;
}
