import { DispatchError } from "./errors.ts";
import { ModeName, TaskId } from "./protocol/ids.ts";

/** Validates at the engine's door too: every edge calls through here. */
export function checkNames(mode: string, id: string): void {
  const m = ModeName.safeParse(mode);
  if (!m.success) throw new DispatchError("invalid_mode", `invalid mode name ${JSON.stringify(mode)}: ${m.error.issues[0]?.message}`);
  checkId(id);
}

export function checkId(id: string): void {
  const t = TaskId.safeParse(id);
  if (!t.success) throw new DispatchError("invalid_id", `invalid task id ${JSON.stringify(id)}: ${t.error.issues[0]?.message}`);
}
