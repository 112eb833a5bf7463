import type { Engine } from "../engine.ts";
import { visible } from "../protocol/describe.ts";
import type { FileChange } from "../protocol/worktree.ts";
import { table } from "./format.ts";

/**
 * `dispatch diff|merge|commit|remove <task-id>`: a task's work from the terminal (DESIGN §13).
 * A diff goes out as git wrote it when piped (`| git apply` works); on a terminal, a control
 * character in the repository's text is shown, never obeyed.
 */

const out = (text: string) => process.stdout.write(text.endsWith("\n") || text === "" ? text : `${text}\n`);

function forTerminal(text: string): string {
  if (!process.stdout.isTTY) return text;
  return text
    .split("\n")
    .map((line) => visible(line, Number.MAX_SAFE_INTEGER))
    .join("\n");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function fileRows(files: FileChange[], note: (f: FileChange) => string): string[][] {
  return files.map((f) => [
    f.oldPath ? `${f.oldPath} → ${f.path}` : f.path,
    f.binary ? "binary" : `+${f.added ?? "?"} -${f.removed ?? "?"}`,
    note(f),
  ]);
}

export async function diffCommand(engine: Engine, id: string, options: { stat: boolean; json: boolean }): Promise<number> {
  const review = await engine.work.review(id);
  if (options.json && options.stat) {
    out(JSON.stringify(review, null, 2));
    return 0;
  }
  if (options.stat) {
    const lines = [
      `${review.branch} → ${review.base ?? review.baseCommit.slice(0, 12)}: ${plural(review.ahead, "commit")} ahead, ${review.behind} behind${review.path ? ` (${review.path})` : " (no worktree now)"}`,
    ];
    if (review.files.length) lines.push(table(fileRows(review.files, (f) => (f.status === "modified" ? "" : f.status))));
    if (review.uncommitted.length) {
      lines.push(`uncommitted: ${plural(review.uncommitted.length, "file")}`);
      lines.push(table(fileRows(review.uncommitted, (f) => f.status)));
    }
    if (!review.files.length && !review.uncommitted.length) lines.push("no changes");
    out(lines.join("\n"));
    return 0;
  }
  out(forTerminal(await engine.work.diff(id, { scope: "committed", file: null })));
  if (review.uncommitted.length > 0) {
    if (process.stdout.isTTY) out(`\n# uncommitted in ${visible(review.path ?? "")}`);
    out(forTerminal(await engine.work.diff(id, { scope: "uncommitted", file: null })));
  }
  return 0;
}

export async function mergeCommand(
  engine: Engine,
  id: string,
  options: { strategy: "merge" | "squash" | "rebase"; json: boolean },
): Promise<number> {
  const result = await engine.work.merge(id, options.strategy);
  if (options.json) out(JSON.stringify(result, null, 2));
  else
    out(
      `${options.strategy === "merge" ? "merged" : options.strategy === "squash" ? "squashed" : "rebased"} ${plural(result.commits, "commit")} of ${id} into ${result.base} (now ${result.commit.slice(0, 12)})`,
    );
  return 0;
}

export async function commitCommand(engine: Engine, id: string, message: string, json: boolean): Promise<number> {
  const result = await engine.work.commit(id, message);
  if (json) out(JSON.stringify(result, null, 2));
  else out(`committed ${plural(result.files, "file")} in ${id}'s worktree (${result.commit.slice(0, 12)})`);
  return 0;
}

export async function removeCommand(
  engine: Engine,
  id: string,
  options: { force: boolean; deleteBranch: boolean; json: boolean },
): Promise<number> {
  const result = await engine.work.remove(id, { force: options.force, deleteBranch: options.deleteBranch });
  if (options.json) {
    out(JSON.stringify(result, null, 2));
    return 0;
  }
  const lines = [
    `removed ${result.removed ? `the worktree ${result.removed}` : "nothing on disk"}${result.branchDeleted ? " and its branch" : ""}`,
  ];
  if (result.backup) {
    lines.push(`everything it held was saved first to ${result.backup.ref} (its last commit holds what was uncommitted)`);
    lines.push(`to get it back: ${result.backup.restore}`);
  }
  out(lines.join("\n"));
  return 0;
}
