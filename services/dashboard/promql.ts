/**
 * The PromQL of the detail page's charts over Istio's standard telemetry: one release's canary and
 * stable, error rate (% of 5xx) and p99 latency, by `destination_version`. Pure.
 */

/** A PromQL string literal's contents. */
export function promqlString(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Regex-escape a label value for `=~`. */
function reQuote(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** What a chart compares. */
export interface ChartTarget {
  namespace: string;
  service: string;
  versions: readonly string[];
}

/** The two charts of the detail page. */
export const ChartMetric = ["error-rate", "latency-p99"] as const;
export type ChartMetric = (typeof ChartMetric)[number];

/** The query of `metric` with a rate window of `windowSeconds`. */
export function chartQuery(metric: ChartMetric, t: ChartTarget, windowSeconds: number): string {
  const sel = (extra = "") =>
    `{reporter="destination", destination_workload_namespace="${promqlString(t.namespace)}", destination_canonical_service="${promqlString(t.service)}", destination_version=~"${promqlString(t.versions.map(reQuote).join("|"))}"${extra}}`;
  const w = `[${Math.max(1, Math.round(windowSeconds))}s]`;
  switch (metric) {
    case "error-rate": {
      const total = `sum by (destination_version) (rate(istio_requests_total${sel()}${w}))`;
      return `(sum by (destination_version) (rate(istio_requests_total${sel(', response_code=~"5.."')}${w})) or ${total} * 0) / ${total} * 100`;
    }
    case "latency-p99":
      return `histogram_quantile(0.99, sum by (destination_version, le) (rate(istio_request_duration_milliseconds_bucket${sel()}${w})))`;
    default: {
      const never: never = metric;
      throw new Error(`unknown chart metric ${String(never)}`);
    }
  }
}

/** Range and resolution for a release that ran from `from` to `to` (ms): about 240 points, windows of 3 steps (at least 10 s). */
export function chartRange(from: number, to: number): { start: number; end: number; step: number; windowSeconds: number } {
  const start = Math.floor(from / 1000) - 30;
  const end = Math.ceil(to / 1000) + 5;
  const step = Math.max(1, Math.ceil((end - start) / 240));
  return { start, end, step, windowSeconds: Math.max(10, step * 3) };
}
