import { existsSync, readFileSync } from "node:fs";
import { DispatchError } from "../errors.ts";
import { writePrivateFile } from "../fs/private-file.ts";
import type { ApproveBody, ApproveResult } from "../protocol/api.ts";
import type { RunFiles } from "./run-files.ts";
import type { RunRecord } from "./run-record.ts";
import { isLive } from "./run-state.ts";

/**
 * Answers the permission request a run waits on: the decision goes to `decisions/<run>.json`, where
 * the run's approval hook (agents/approval-hook.ts) waits for it and passes it to Claude. A
 * question is answered in the session itself; a request answered already (here, or in the pane)
 * is not answered twice. `what` names the run in errors ("interactive on TASK-42").
 */
export function decide(files: RunFiles, run: RunRecord | undefined, what: string, body: ApproveBody): ApproveResult {
  if (!run || !isLive(run.phase)) throw new DispatchError("not_running", `no run of ${what} is running`);
  const pending = run.pending;
  if (!pending || pending.kind === "error") throw new DispatchError("conflict", `${what} is not waiting for a decision`);
  if (pending.kind === "question") {
    throw new DispatchError("conflict", `${what} asks a question: answer it in its session (dispatch attach ${run.mode} ${run.taskId})`);
  }
  if (body.request !== undefined && body.request !== pending.id) {
    throw new DispatchError("conflict", `that request of ${what} was answered already; it now asks: ${pending.summary}`);
  }
  const file = files.decision(run.id);
  if (existsSync(file) && JSON.parse(readFileSync(file, "utf8")).id === pending.id) {
    throw new DispatchError("conflict", `this request of ${what} was answered already`);
  }
  writePrivateFile(file, JSON.stringify({ id: pending.id, behavior: body.decision, ...(body.message && { message: body.message }) }));
  return { decided: true, runId: run.id, tool: pending.tool, summary: pending.summary };
}
