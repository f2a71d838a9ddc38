/** The synthetic releases of the scale benchmarks: release i is service `svc-i` in one of 10 namespaces. */
import type { AnalysisStart } from "../../schemas/analysis.js";
import type { FakeSeries } from "../lib/fake-prometheus.js";

/** One synthetic release. */
export interface BenchRelease {
  releaseId: string;
  namespace: string;
  service: string;
  stable: string;
  canary: string;
}

/** Release number `i`. */
export function releaseOf(i: number): BenchRelease {
  const namespace = `bench-${i % 10}`;
  const service = `svc-${i}`;
  return { releaseId: `${namespace}/${service}/v2.0.0`, namespace, service, stable: "v1.0.0", canary: "v2.0.0" };
}

/** The analysis the orchestrator would start for `r`: Siskin's default error-rate and p99 metrics. */
export function analysisStartOf(r: BenchRelease, intervalSeconds: number): AnalysisStart {
  return {
    namespace: r.namespace,
    service: r.service,
    versionLabel: "version",
    stableVersion: r.stable,
    canaryVersion: r.canary,
    intervalSeconds,
    minRequests: 20,
    metrics: [
      { name: "error-rate", builtin: "error-rate", unit: "percent", max: 1 },
      { name: "latency-p99", builtin: "latency-p99", unit: "ms", relative: { maxRatio: 1.2 } },
    ],
  };
}

/** The series Prometheus would return for releases 0..size-1 (stable and canary of each). */
export function seriesOf(size: number): FakeSeries[] {
  return Array.from({ length: size }, (_, i) => releaseOf(i)).flatMap((r) => [
    { namespace: r.namespace, service: r.service, version: r.stable },
    { namespace: r.namespace, service: r.service, version: r.canary },
  ]);
}
