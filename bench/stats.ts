/**
 * Figures of `npm run bench` (issue 13): each one a median and a p99, against a baseline measured
 * in the same run where it has one, with its goal and whether it was met. Nothing asserts: a goal
 * missed is `ok: false`, and the table says by how much.
 */
import { writeFileSync } from "node:fs";

/** A sample's median, its worst 1 % (nearest rank: with fewer than 100 values, the worst one) and mean. */
export type Spread = { median: number; p99: number; mean: number; n: number };

/**
 * `worse`: which end is the bad one. Latencies and sizes: "high" (p99 is the 99th percentile);
 * throughputs: "low" (p99 is the 1st percentile, the slowest 1 %).
 */
export function spread(xs: number[], worse: "high" | "low" = "high"): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { median: Number.NaN, p99: Number.NaN, mean: Number.NaN, n: 0 };
  const mid = n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
  const rank = Math.ceil(0.99 * n) - 1;
  const p99 = worse === "high" ? (s[rank] as number) : (s[n - 1 - rank] as number);
  return { median: mid, p99, mean: s.reduce((a, x) => a + x, 0) / n, n };
}

/** Times `fn` once, in ms. */
export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** One bound of a goal: on the ratio (Dispatch / baseline, medians), the median, the p99 or the mean. */
export type Bound = { on: "ratio" | "value" | "p99" | "mean"; max?: number; min?: number };

/** One row of the table and of bench/results.json. */
export type Figure = {
  name: string;
  /** Median. */
  value: number;
  p99: number | null;
  unit: string;
  baseline: string | null;
  baselineValue: number | null;
  baselineP99: number | null;
  /** value / baselineValue (medians). */
  ratio: number | null;
  /** p99 / baselineP99. */
  p99Ratio: number | null;
  goal: string;
  ok: boolean;
  /** What missed the goal and by how much (null when met). */
  gap: string | null;
  /** Why it missed, as measured (only with a gap). */
  cause?: string;
  /** Samples behind the median and p99. */
  n: number | null;
  mean?: number;
  note?: string;
  /** Further numbers a row reports (PSS, the tmux server's share, …). */
  extra?: Record<string, number>;
};

type Measured = Spread | number;
const asSpread = (m: Measured): Spread => (typeof m === "number" ? { median: m, p99: Number.NaN, mean: m, n: 1 } : m);

export function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  const a = Math.abs(n);
  return a >= 100 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : a >= 1 ? n.toFixed(2) : n.toFixed(3);
}

/** Ratios with three decimals, so that 1.103× never reads as a met ≤ 1.1×. */
export function fmtRatio(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  return `${Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3)}×`;
}

function describeBound(b: Bound, unit: string): string {
  const op = b.max !== undefined ? "≤" : "≥";
  const limit = (b.max ?? b.min) as number;
  if (b.on === "ratio") return `${op} ${limit}×`;
  const u = unit === "%" ? " % of a core" : ` ${unit}`;
  return `${b.on === "value" ? "" : `${b.on} `}${op} ${limit}${u}`;
}

export function figure(input: {
  name: string;
  unit: string;
  ours: Measured;
  baseline?: { name: string; measured: Measured };
  goal: Bound[];
  note?: string;
  extra?: Record<string, number>;
  /** Why this figure misses its goal when it does, as measured: printed and written with the gap only then. */
  cause?: string;
}): Figure {
  const ours = asSpread(input.ours);
  const base = input.baseline ? asSpread(input.baseline.measured) : null;
  const ratio = base ? ours.median / base.median : null;
  const p99Ratio = base && !Number.isNaN(ours.p99) && !Number.isNaN(base.p99) ? ours.p99 / base.p99 : null;
  const actual = (b: Bound): number | null =>
    b.on === "ratio" ? ratio : b.on === "value" ? ours.median : b.on === "p99" ? ours.p99 : ours.mean;
  const missed: string[] = [];
  for (const b of input.goal) {
    const v = actual(b);
    const fine = v !== null && !Number.isNaN(v) && (b.max === undefined || v <= b.max) && (b.min === undefined || v >= b.min);
    if (fine) continue;
    const shown = b.on === "ratio" ? fmtRatio(v) : `${b.on === "value" ? "" : `${b.on} `}${fmt(v)} ${input.unit}`;
    const by =
      v !== null && b.max !== undefined
        ? ` (${fmtRatio(v / b.max)} the limit)`
        : v !== null && b.min !== undefined
          ? ` (${fmtRatio(v / b.min)} the floor)`
          : "";
    missed.push(`${shown} vs ${describeBound(b, input.unit)}${by}`);
  }
  const usesMean = input.goal.some((b) => b.on === "mean");
  return {
    name: input.name,
    value: ours.median,
    p99: Number.isNaN(ours.p99) ? null : ours.p99,
    unit: input.unit,
    baseline: input.baseline?.name ?? null,
    baselineValue: base ? base.median : null,
    baselineP99: base && !Number.isNaN(base.p99) ? base.p99 : null,
    ratio,
    p99Ratio,
    goal: input.goal.map((b) => describeBound(b, input.unit)).join(" and "),
    ok: missed.length === 0,
    gap: missed.length ? missed.join("; ") : null,
    ...(missed.length && input.cause ? { cause: input.cause } : {}),
    n: typeof input.ours === "number" ? null : ours.n,
    ...(usesMean ? { mean: ours.mean } : {}),
    ...(input.note ? { note: input.note } : {}),
    ...(input.extra ? { extra: input.extra } : {}),
  };
}

/** A figure that could not be measured here (no Claude Code CLI, say): reported, never skipped silently. */
export function notMeasured(name: string, unit: string, goal: string, why: string): Figure {
  return {
    name,
    value: Number.NaN,
    p99: null,
    unit,
    baseline: null,
    baselineValue: null,
    baselineP99: null,
    ratio: null,
    p99Ratio: null,
    goal,
    ok: false,
    gap: `not measured: ${why}`,
    n: 0,
  };
}

function pad(s: string, width: number, right = false): string {
  const len = [...s].length;
  return right ? " ".repeat(Math.max(0, width - len)) + s : s + " ".repeat(Math.max(0, width - len));
}

/** The table: one line a figure, its baseline named below it, then every gap. */
export function printTable(figures: Figure[], title: string): string {
  const rows = figures.map((f, i) => [
    String(i + 1),
    f.name,
    `${fmt(f.value)} ${f.unit}${f.mean === undefined ? "" : ` (mean ${fmt(f.mean)})`}`,
    f.p99 === null ? "—" : fmt(f.p99),
    f.baselineValue === null ? "—" : `${fmt(f.baselineValue)} / ${fmt(f.baselineP99)}`,
    fmtRatio(f.ratio),
    f.goal,
    f.ok ? "ok" : "MISSED",
  ]);
  const head = ["#", "figure", "median", "p99", "baseline med / p99", "ratio", "goal", "result"];
  const widths = head.map((h, c) => Math.max([...h].length, ...rows.map((r) => [...(r[c] as string)].length)));
  const right = new Set([0, 2, 3, 4, 5]);
  const line = (r: string[]) => r.map((cell, c) => pad(cell, widths[c] as number, right.has(c))).join("  ");
  const out = [
    title,
    "",
    line(head),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    "",
    "Baselines (measured in this run):",
  ];
  figures.forEach((f, i) => {
    if (f.baseline) out.push(`  ${i + 1}. ${f.baseline}`);
  });
  const missed = figures.map((f, i) => [i + 1, f] as const).filter(([, f]) => !f.ok);
  out.push("", missed.length ? "Goals missed:" : "Every goal met.");
  for (const [i, f] of missed) {
    out.push(`  ${i}. ${f.name}: ${f.gap}`);
    out.push(`     why: ${f.cause ?? "not known: nothing measured says"}`);
  }
  const notes = figures.map((f, i) => [i + 1, f] as const).filter(([, f]) => f.note || f.extra);
  if (notes.length) out.push("", "Notes:");
  for (const [i, f] of notes) {
    const extra = f.extra
      ? Object.entries(f.extra)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(", ")
      : "";
    out.push(`  ${i}. ${[f.note, extra].filter(Boolean).join("; ")}`);
  }
  return out.join("\n");
}

/** bench/results.json: the figures as they are (NaN, which JSON cannot hold, as null). */
export function writeResults(path: string, figures: Figure[]): void {
  writeFileSync(path, `${JSON.stringify(figures, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2)}\n`);
}
