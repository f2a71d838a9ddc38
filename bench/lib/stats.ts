/** Summaries of repeated measurements: min, median, p99 (nearest rank), mean, max. Pure. */

/** A summary of samples (same unit as the samples). */
export interface Summary {
  n: number;
  min: number;
  median: number;
  p99: number;
  mean: number;
  max: number;
}

/** The q-quantile (0..1) of sorted samples by nearest rank: p99 of 200 samples is the 198th. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Summarize `samples`; an empty list gives NaN everywhere (n = 0). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n: 0, min: Number.NaN, median: Number.NaN, p99: Number.NaN, mean: Number.NaN, max: Number.NaN };
  return {
    n,
    min: sorted[0] as number,
    median: quantileSorted(sorted, 0.5),
    p99: quantileSorted(sorted, 0.99),
    mean: sorted.reduce((s, x) => s + x, 0) / n,
    max: sorted[n - 1] as number,
  };
}

/** Round for display: 3 significant digits below 100, integers above. */
export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return String(Math.round(x));
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return "0";
  return x.toPrecision(2);
}

/** Milliseconds elapsed since `t0` (a `performance.now()` value). */
export function since(t0: number): number {
  return performance.now() - t0;
}
