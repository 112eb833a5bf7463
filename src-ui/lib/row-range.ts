/** Rows rendered beyond each edge of the screen: a fast wheel turn moves about 10 rows a frame. */
export const OVERSCAN = 12;

/** Rows [start, end) of a list are rendered; `before` and `after` are the heights of the spacers around them, in px. */
export type RowRange = { start: number; end: number; before: number; after: number };

/**
 * The rows of `count`, each `rowHeight` px high, that a screen `screen` px high shows when the
 * list's top is `scrolled` px above the screen's top (negative: below it), with OVERSCAN more
 * each way.
 */
export function rowRange(count: number, scrolled: number, screen: number, rowHeight: number): RowRange {
  const first = Math.min(count, Math.floor(Math.max(0, scrolled) / rowHeight));
  const start = Math.max(0, first - OVERSCAN);
  const end = Math.min(count, first + Math.ceil(screen / rowHeight) + 1 + OVERSCAN);
  return { start, end, before: start * rowHeight, after: (count - end) * rowHeight };
}
