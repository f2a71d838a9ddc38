/** Prometheus's HTTP API `query_range` behind the {@link MetricsRange} port. */
import type { MetricsRange, RangeSeries } from "./ports.js";

/** A range-query client of the Prometheus at `baseUrl`; each query gives up after `timeoutMs`. */
export function prometheusRange(baseUrl: string, timeoutMs = 10_000): MetricsRange {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    async queryRange(query, start, end, step) {
      const body = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
      const res = await fetch(`${base}/api/v1/query_range`, { method: "POST", body, signal: AbortSignal.timeout(timeoutMs) });
      const json = (await res.json().catch(() => null)) as {
        status?: string;
        error?: string;
        data?: { resultType?: string; result?: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
      } | null;
      if (!res.ok || json?.status !== "success") throw new Error(`query_range at ${base} answered HTTP ${res.status}: ${json?.error ?? "no JSON"}`);
      return (json.data?.result ?? []).map(
        (r): RangeSeries => ({ labels: r.metric, values: r.values.map(([t, v]) => [t, Number.isFinite(Number(v)) ? Number(v) : null]) }),
      );
    },
  };
}
