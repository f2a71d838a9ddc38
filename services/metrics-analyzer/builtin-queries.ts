/**
 * PromQL of the built-in metrics over Istio's standard telemetry (`reporter="destination"`: the
 * server sidecar of the VM's virt-launcher pod). Pure. Every query is grouped by namespace, service and
 * version, so one query answers for every release.
 */
import type { BuiltinMetric } from "../../schemas/rollout.js";
import { assertLabelName } from "./promql-escape.js";

/** The Prometheus labels that identify a release's series. */
export interface LabelNames {
  /** Default `destination_workload_namespace`. */
  namespace: string;
  /** Default `destination_canonical_service`. */
  service: string;
  /**
   * Default `destination_version`: Istio derives it from the workload's `version` label (the
   * rollout's `versionLabel` on the VM's pod). Configurable for meshes that relabel it.
   */
  version: string;
}

/** Istio's label names. */
export const istioLabels: LabelNames = {
  namespace: "destination_workload_namespace",
  service: "destination_canonical_service",
  version: "destination_version",
};

/**
 * Queries the analyzer runs besides the metrics: request and 5xx counts per version over the window,
 * and for sequential judging the raw counters (requests, 5xx, duration buckets by `le`) as they stand.
 */
export const AuxiliaryQuery = ["requests", "errors", "requests-total", "errors-total", "duration-buckets"] as const;
export type AuxiliaryQuery = (typeof AuxiliaryQuery)[number];

/** What a built-in query computes. */
export type BuiltinQueryKind = BuiltinMetric | AuxiliaryQuery;

const REQUESTS = "istio_requests_total";
const DURATION_BUCKETS = "istio_request_duration_milliseconds_bucket";
const FIVE_XX = 'response_code=~"5.."';

/**
 * The PromQL of `kind` over a window of `windowSeconds`, restricted by `matchers` (already escaped
 * `name=~"..."` text, comma-separated; may be empty).
 *
 * `error-rate` and `errors` fall back to `0 * total` for versions that served no 5xx: without it a
 * version with traffic and no errors would have no series at all (no data instead of 0 %).
 */
export function builtinQuery(kind: BuiltinQueryKind, labels: LabelNames, matchers: string, windowSeconds: number): string {
  const by = [labels.namespace, labels.service, labels.version].map(assertLabelName).join(", ");
  const w = `[${Math.max(1, Math.floor(windowSeconds))}s]`;
  const sel = (...extra: string[]) => `{${['reporter="destination"', ...extra, matchers].filter((m) => m !== "").join(", ")}}`;
  const total = `sum by (${by}) (rate(${REQUESTS}${sel()}${w}))`;
  switch (kind) {
    case "error-rate":
      return `(sum by (${by}) (rate(${REQUESTS}${sel(FIVE_XX)}${w})) or ${total} * 0) / ${total} * 100`;
    case "latency-p99":
      return latency(0.99, by, sel(), w);
    case "latency-p95":
      return latency(0.95, by, sel(), w);
    case "request-rate":
      return total;
    case "requests":
      return `sum by (${by}) (increase(${REQUESTS}${sel()}${w}))`;
    case "errors":
      return `sum by (${by}) (increase(${REQUESTS}${sel(FIVE_XX)}${w})) or sum by (${by}) (increase(${REQUESTS}${sel()}${w})) * 0`;
    case "requests-total":
      return `sum by (${by}) (${REQUESTS}${sel()})`;
    case "errors-total":
      return `sum by (${by}) (${REQUESTS}${sel(FIVE_XX)})`;
    case "duration-buckets":
      return `sum by (${by}, le) (${DURATION_BUCKETS}${sel()})`;
    default: {
      const never: never = kind;
      throw new Error(`unknown built-in metric "${String(never)}"`);
    }
  }
}

function latency(q: number, by: string, sel: string, w: string): string {
  return `histogram_quantile(${q}, sum by (${by}, le) (rate(${DURATION_BUCKETS}${sel}${w})))`;
}
