import parse from "parse-diff";

export type RowKind = "hunk" | "add" | "del" | "ctx";
/** One line of a unified diff: a hunk's header, or a line with its numbers on the old and new side. */
export type Row = { kind: RowKind; old: number | null; new: number | null; text: string };

/**
 * A file's unified diff as rows. parse-diff's traps: it reports "\ No newline at end of file" as a
 * change of the line before (dropped here), and it has no flag for binary or renamed files (the
 * review's FileChange says those).
 */
export function diffRows(diff: string): Row[] {
  const rows: Row[] = [];
  for (const file of parse(diff)) {
    for (const chunk of file.chunks) {
      rows.push({ kind: "hunk", old: null, new: null, text: chunk.content });
      for (const change of chunk.changes) {
        if (change.content.startsWith("\\")) continue;
        const text = change.content.slice(1);
        if (change.type === "add") rows.push({ kind: "add", old: null, new: change.ln, text });
        else if (change.type === "del") rows.push({ kind: "del", old: change.ln, new: null, text });
        else rows.push({ kind: "ctx", old: change.ln1, new: change.ln2, text });
      }
    }
  }
  return rows;
}
