/**
 * Which rows of a long table are on screen. The board renders those, and OVERSCAN more each
 * way, between two spacer rows: measured in Chromium here, creating and laying out 5,003 rows took
 * about 900 ms (a static table of the same rows, 300 ms); 40 rows cost next to nothing, whatever
 * the number of tasks. Rows have one height (the table keeps each to one line), measured from the
 * rendered ones; the page scrolls as before, so the window follows the page's scroll and size.
 */

import { type RowRange, rowRange } from "./row-range.ts";

/** Until a row is measured: a one-line row of the board (8 px padding twice, 20 px of text, a 1 px border). */
const FIRST_GUESS_PX = 37;

export class RowWindow {
  /** How far the table body's top is above the top of the screen, in px (negative: below it). */
  private scrolled = $state(0);
  private screen = $state(typeof window === "undefined" ? 800 : window.innerHeight);
  rowHeight = $state(FIRST_GUESS_PX);

  /** Rows [start, end) of `count` are rendered; `before` and `after` are the spacers' heights. */
  range(count: number): RowRange {
    return rowRange(count, this.scrolled, this.screen, this.rowHeight);
  }

  /**
   * Follows `body` (the table's tbody): the page's scroll and size, and `container`'s size, which
   * changes with anything that moves the body (a panel opening above it, rows filtered away).
   * Returns the way to stop.
   */
  follow(body: HTMLElement, container: HTMLElement): () => void {
    const measure = () => {
      // To the row: a scroll within one row changes nothing, so it re-renders nothing.
      this.scrolled = Math.floor(-body.getBoundingClientRect().top / this.rowHeight) * this.rowHeight;
      this.screen = window.innerHeight;
      const rows = body.querySelectorAll<HTMLElement>("tr[data-row]");
      const first = rows[0];
      const last = rows[rows.length - 1];
      if (first && last && rows.length > 1) {
        const height = (last.getBoundingClientRect().bottom - first.getBoundingClientRect().top) / rows.length;
        if (height > 0 && Math.abs(height - this.rowHeight) > 0.5) this.rowHeight = height;
      }
    };
    const resized = new ResizeObserver(measure);
    resized.observe(container);
    window.addEventListener("scroll", measure, { passive: true });
    window.addEventListener("resize", measure);
    measure();
    return () => {
      resized.disconnect();
      window.removeEventListener("scroll", measure);
      window.removeEventListener("resize", measure);
    };
  }

  /** Scrolls the page so row `index` is rendered (it may still be near an edge: the caller then scrolls it into view). */
  reveal(body: HTMLElement, index: number, count: number): void {
    const { start, end } = this.range(count);
    if (index >= start + 1 && index < end - 1) return;
    const top = body.getBoundingClientRect().top + index * this.rowHeight;
    window.scrollBy(0, top - window.innerHeight / 2);
    this.scrolled = Math.floor(-body.getBoundingClientRect().top / this.rowHeight) * this.rowHeight;
  }
}
