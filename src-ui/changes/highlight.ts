import hljs from "highlight.js/lib/core";
import type { Row } from "./diff-rows.ts";

/** Longer lines are shown plain: colouring them is slow, and they are seldom code people read (minified files, data). */
export const MAX_COLOURED_LINE = 1000;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * highlight.js's HTML for several lines, one balanced piece per line: a span still open at a
 * line's end is closed there and opened again on the next. highlight.js escapes the text and
 * emits only `<span class="…">` and `</span>`, so these are the only tags to follow.
 */
export function splitLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let line = "";
  for (const [token] of html.matchAll(/<span class="[^"]*">|<\/span>|\n|[^<\n]+/g)) {
    if (token === "\n") {
      lines.push(line + "</span>".repeat(open.length));
      line = open.join("");
      continue;
    }
    if (token === "</span>") open.pop();
    else if (token.startsWith("<span")) open.push(token);
    line += token;
  }
  lines.push(line);
  return lines;
}

/**
 * Colours one side of each hunk (`side` picks its rows) as runs of consecutive lines, so a comment
 * or a string spanning lines keeps its colour; a hunk header or a very long line ends a run.
 */
function colourSide(rows: Row[], language: string, side: (row: Row) => boolean, out: string[]): void {
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const text = run.map((i) => rows[i]?.text ?? "").join("\n");
    const lines = splitLines(hljs.highlight(text, { language, ignoreIllegals: true }).value);
    run.forEach((row, j) => {
      out[row] = lines[j] ?? "";
    });
    run = [];
  };
  rows.forEach((row, i) => {
    if (row.kind === "hunk" || row.text.length > MAX_COLOURED_LINE) flush();
    else if (side(row)) run.push(i);
  });
  flush();
}

/**
 * Each row's HTML: the old side (context and removed lines) and the new side (context and added
 * lines) of each hunk coloured as wholes. Without a registered language (none is ever guessed),
 * the escaped text.
 */
export function rowsHtml(rows: Row[], language: string | null): string[] {
  const out = rows.map((row) => escapeHtml(row.text));
  if (!language || !hljs.getLanguage(language)) return out;
  colourSide(rows, language, (row) => row.kind !== "add", out);
  // Context lines are on both sides: the new side's colours win.
  colourSide(rows, language, (row) => row.kind !== "del", out);
  return out;
}
