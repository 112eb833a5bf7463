import { expect, test } from "bun:test";
import { OVERSCAN, rowRange } from "./row-range.ts";

test("the top of a long list: the screen's rows and the overscan below, one spacer after them", () => {
  // 800 px of 40 px rows: 20 rows, one more for a partly shown row.
  expect(rowRange(5000, 0, 800, 40)).toEqual({ start: 0, end: 21 + OVERSCAN, before: 0, after: (5000 - 21 - OVERSCAN) * 40 });
  // The list still below the screen's top (panels above it): the same.
  expect(rowRange(5000, -300, 800, 40)).toEqual(rowRange(5000, 0, 800, 40));
});

test("the middle: the overscan on both sides, and the spacers keep the list's full height", () => {
  const r = rowRange(5000, 100_000, 800, 40);
  expect(r.start).toBe(2500 - OVERSCAN);
  expect(r.end).toBe(2500 + 21 + OVERSCAN);
  expect(r.before + (r.end - r.start) * 40 + r.after).toBe(5000 * 40);
});

test("the end and past it, a short list and an empty one: never a row that is not there", () => {
  expect(rowRange(5000, 5000 * 40 - 800, 800, 40).end).toBe(5000);
  const past = rowRange(5000, 10_000_000, 800, 40);
  expect(past.end).toBe(5000);
  expect(past.after).toBe(0);
  expect(rowRange(3, 0, 800, 40)).toEqual({ start: 0, end: 3, before: 0, after: 0 });
  expect(rowRange(0, 500, 800, 40)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
});
