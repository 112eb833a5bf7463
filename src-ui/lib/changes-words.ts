import type { ChangesBadge } from "../../src-ext/protocol/worktree.ts";

/** "1 file", "3 files". */
export function count(n: number, word: string): string {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

/** Whether a task's work is worth a badge: lines on its branch or files not yet committed. */
export function hasChanges(changes: ChangesBadge | null | undefined): changes is ChangesBadge {
  return !!changes && (changes.files > 0 || changes.uncommitted > 0);
}

/** A badge's words for its tooltip and for screen readers (the badge itself shows "+12 −3 · 2 uncommitted"). */
export function describeChanges(changes: ChangesBadge): string {
  const parts: string[] = [];
  if (changes.files > 0) {
    parts.push(
      `${count(changes.added, "line")} added and ${changes.removed.toLocaleString("en")} removed in ${count(changes.files, "file")}`,
    );
  }
  if (changes.uncommitted > 0) parts.push(`${count(changes.uncommitted, "uncommitted file")}`);
  return parts.join("; ");
}
