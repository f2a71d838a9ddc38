// Istio's four HTTP metrics as prom-client registry entries backed by one accumulator. prom-client's own
// Counter/Histogram validate and hash 25 labels on every call (~100 µs per simulated request for the
// 8 updates); here one key per request and reporter finds the series, and the registry only formats.
import type { Metric, Registry } from "prom-client";
import { IstioLabelNames, type IstioLabels } from "./labels.js";

interface Series {
  labels: IstioLabels;
  requests: number;
  /** Per histogram: non-cumulative bucket counts (last = +Inf), sum. */
  hist: Array<{ buckets: Float64Array; sum: number }>;
}

type Value = { labels: Record<string, string | number>; value: number; metricName?: string };

/** Records requests into the registry's istio_* series. */
export interface IstioMetrics {
  record(labels: IstioLabels, values: readonly [durationMs: number, requestBytes: number, responseBytes: number]): void;
}

const HistogramNames = ["istio_request_duration_milliseconds", "istio_request_bytes", "istio_response_bytes"] as const;
const HistogramHelp = ["Request duration in milliseconds.", "Request size in bytes.", "Response size in bytes."];

function bucketIndex(bounds: readonly number[], v: number): number {
  for (let i = 0; i < bounds.length; i++) if (v <= (bounds[i] as number)) return i;
  return bounds.length;
}

/** Registers istio_requests_total and the three histograms (label names in Istio's order, `le` last). */
export function registerIstioMetrics(registry: Registry, buckets: readonly number[]): IstioMetrics {
  const series = new Map<string, Series>();
  const entry = (name: string, help: string, type: "counter" | "histogram", values: () => Value[]) =>
    ({
      name,
      help,
      type,
      aggregator: "sum",
      get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
      reset: () => series.clear(),
    }) as unknown as Metric;

  registry.registerMetric(
    entry("istio_requests_total", "Total requests.", "counter", () => [...series.values()].map((s) => ({ labels: s.labels, value: s.requests }))),
  );
  HistogramNames.forEach((name, h) => {
    registry.registerMetric(
      entry(name, HistogramHelp[h] ?? name, "histogram", () => {
        const out: Value[] = [];
        for (const s of series.values()) {
          const hist = s.hist[h];
          if (hist === undefined) continue;
          let acc = 0;
          for (let i = 0; i <= buckets.length; i++) {
            acc += hist.buckets[i] ?? 0;
            out.push({ labels: { ...s.labels, le: i < buckets.length ? (buckets[i] as number) : "+Inf" }, value: acc, metricName: `${name}_bucket` });
          }
          out.push({ labels: s.labels, value: hist.sum, metricName: `${name}_sum` });
          out.push({ labels: s.labels, value: s.requests, metricName: `${name}_count` });
        }
        return out;
      }),
    );
  });

  return {
    record(labels, values) {
      let key = "";
      for (const n of IstioLabelNames) key += `${labels[n]}\u0001`;
      let s = series.get(key);
      if (s === undefined) {
        s = { labels, requests: 0, hist: HistogramNames.map(() => ({ buckets: new Float64Array(buckets.length + 1), sum: 0 })) };
        series.set(key, s);
      }
      s.requests++;
      for (let h = 0; h < HistogramNames.length; h++) {
        const hist = s.hist[h] as Series["hist"][number];
        const v = values[h] as number;
        hist.buckets[bucketIndex(buckets, v)]! += 1;
        hist.sum += v;
      }
    },
  };
}
