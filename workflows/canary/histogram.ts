/**
 * Prometheus-style histograms (cumulative `le` buckets) for the sequential latency test: the
 * quantile as `histogram_quantile` computes it, and the bucket boundary the slow-request count is
 * taken at. Pure.
 */

/** A histogram: finite upper bounds in increasing order, and per-bucket counts (one more: +Inf). */
export interface Histogram {
  bounds: readonly number[];
  /** counts[i] is the number in (bounds[i−1], bounds[i]]; counts[bounds.length] is above the last bound. */
  counts: readonly number[];
}

/** The q-quantile as Prometheus' `histogram_quantile` does: linear within the bucket; NaN when empty. */
export function histogramQuantile(q: number, h: Histogram): number {
  let total = 0;
  for (const c of h.counts) total += c;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i] as number;
    if (below + c >= rank && c > 0) {
      if (i >= h.bounds.length) return h.bounds[h.bounds.length - 1] as number;
      const upper = h.bounds[i] as number;
      const lower = i === 0 ? 0 : (h.bounds[i - 1] as number);
      return lower + ((upper - lower) * (rank - below)) / c;
    }
    below += c;
  }
  return h.bounds[h.bounds.length - 1] as number;
}

/**
 * The bucket boundary near stable's q-quantile (nearest on a log scale) at which slow requests are
 * counted: `slow` is then "answered in more than that many ms". Null when the reference is empty or
 * its quantile lies beyond the last finite bound.
 */
export function latencyBoundary(q: number, reference: Histogram): number | null {
  const x = histogramQuantile(q, reference);
  if (!Number.isFinite(x) || x <= 0) return null;
  let best: number | null = null;
  for (const b of reference.bounds) {
    if (b <= 0) continue;
    if (best === null || Math.abs(Math.log(b / x)) < Math.abs(Math.log(best / x))) best = b;
  }
  return best;
}

/** Requests above `boundary` (which must be one of the bounds). */
export function countAbove(boundary: number, h: Histogram): number {
  let n = 0;
  for (let i = 0; i < h.counts.length; i++) if (i >= h.bounds.length || (h.bounds[i] as number) > boundary) n += h.counts[i] as number;
  return n;
}
