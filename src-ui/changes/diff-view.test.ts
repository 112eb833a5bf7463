import { describe, expect, test } from "bun:test";
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";
import { describeChanges, hasChanges } from "../lib/changes-words.ts";
import { diffRows } from "./diff-rows.ts";
import { escapeHtml, MAX_COLOURED_LINE, rowsHtml, splitLines } from "./highlight.ts";

hljs.registerLanguage("typescript", typescript);

const DIFF = `diff --git a/a.ts b/a.ts
index 1111111..2222222 100644
--- a/a.ts
+++ b/a.ts
@@ -1,2 +1,3 @@ export
 const a = 1;
-const b = "<old>";
\\ No newline at end of file
+const b = \`two
+lines\`;
\\ No newline at end of file
`;

describe("diff rows", () => {
  test("hunks, line numbers on each side, and no row for git's 'No newline at end of file'", () => {
    expect(diffRows(DIFF)).toEqual([
      { kind: "hunk", old: null, new: null, text: "@@ -1,2 +1,3 @@ export" },
      { kind: "ctx", old: 1, new: 1, text: "const a = 1;" },
      { kind: "del", old: 2, new: null, text: 'const b = "<old>";' },
      { kind: "add", old: null, new: 2, text: "const b = `two" },
      { kind: "add", old: null, new: 3, text: "lines`;" },
    ]);
  });

  test("a binary file or a pure rename has no rows", () => {
    expect(diffRows("diff --git a/x.bin b/x.bin\nnew file mode 100644\nBinary files /dev/null and b/x.bin differ\n")).toEqual([]);
    expect(diffRows("diff --git a/a b/b\nsimilarity index 100%\nrename from a\nrename to b\n")).toEqual([]);
    expect(diffRows("")).toEqual([]);
  });
});

describe("syntax colours per line", () => {
  test("a span open at a line's end is closed there and opened again on the next line", () => {
    expect(splitLines('<span class="a">x\ny<span class="b">z\nw</span></span>\nplain')).toEqual([
      '<span class="a">x</span>',
      '<span class="a">y<span class="b">z</span></span>',
      '<span class="a"><span class="b">w</span></span>',
      "plain",
    ]);
  });

  test("each side is coloured as a whole: a template string over two added lines stays a string; text is escaped", () => {
    const html = rowsHtml(diffRows(DIFF), "typescript");
    expect(html[0]).toBe("@@ -1,2 +1,3 @@ export");
    expect(html[1]).toContain('<span class="hljs-keyword">const</span>');
    expect(html[2]).toContain("&lt;old&gt;");
    expect(html[2]).not.toContain("<old>");
    expect(html[3]).toMatch(/<span class="hljs-string">`two<\/span>$/);
    expect(html[4]).toMatch(/^<span class="hljs-string">lines`<\/span>/);
  });

  test("no language, an unknown one, or a very long line: escaped text only", () => {
    const rows = diffRows(DIFF);
    expect(rowsHtml(rows, null)).toEqual(rows.map((r) => escapeHtml(r.text)));
    expect(rowsHtml(rows, "cobol")).toEqual(rows.map((r) => escapeHtml(r.text)));
    const long = `const x = "${"y".repeat(MAX_COLOURED_LINE)}";`;
    const [, row] = rowsHtml(
      [
        { kind: "hunk", old: null, new: null, text: "@@" },
        { kind: "add", old: null, new: 1, text: long },
      ],
      "typescript",
    );
    expect(row).toBe(escapeHtml(long));
  });
});

describe("the board's changes badge", () => {
  test("words for lines on the branch and uncommitted files; none without either", () => {
    expect(describeChanges({ files: 4, added: 1200, removed: 3, uncommitted: 2 })).toBe(
      "1,200 lines added and 3 removed in 4 files; 2 uncommitted files",
    );
    expect(describeChanges({ files: 0, added: 0, removed: 0, uncommitted: 1 })).toBe("1 uncommitted file");
    expect(hasChanges({ files: 0, added: 0, removed: 0, uncommitted: 0 })).toBe(false);
    expect(hasChanges(null)).toBe(false);
  });
});
