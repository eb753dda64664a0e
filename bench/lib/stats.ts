/** Small numeric helpers and the plain-text table the bench prints. */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN for none. */
export const percentile = (samples: readonly number[], p: number): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
};

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export const summarize = (samples: readonly number[]): Summary => ({
  n: samples.length,
  p50: percentile(samples, 50),
  p95: percentile(samples, 95),
  p99: percentile(samples, 99),
  mean: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : Number.NaN,
  max: samples.length ? Math.max(...samples) : Number.NaN,
});

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Rounds for JSON output: 2 decimals below 100, integers above. */
export const round = (x: number): number => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 100) / 100) : x);

export const fmt = (x: number, unit = ""): string => {
  if (!Number.isFinite(x)) return "—";
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) + unit;
};

export const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}x` : "—");

/** A boxed-less aligned table: first column left-aligned, the rest right-aligned. */
export const table = (header: string[], rows: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
};
