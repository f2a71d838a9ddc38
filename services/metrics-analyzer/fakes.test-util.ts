/** In-memory fakes of the analyzer's ports, for tests. */
import type { AnalysisStart, MetricVerdict } from "../../schemas/analysis.js";
import type { Judge, Metrics, Registry, Series, StoredRegistration } from "./ports.js";
import type { Registration } from "./registration.js";

/** A registry in a Map, with revisions like KV's. */
export function memoryRegistry(): Registry & { entries: Map<string, StoredRegistration> } {
  const entries = new Map<string, StoredRegistration>();
  let seq = 0;
  return {
    entries,
    list: async () => [...entries.values()].map((e) => structuredClone(e)),
    get: async (id) => {
      const e = entries.get(id);
      return e === undefined ? null : structuredClone(e);
    },
    save: async (registration, revision) => {
      const cur = entries.get(registration.releaseId);
      if (revision === undefined ? cur !== undefined : cur?.revision !== revision) return false;
      entries.set(registration.releaseId, { registration: structuredClone(registration), revision: ++seq });
      return true;
    },
    remove: async (id) => {
      entries.delete(id);
    },
  };
}

/** A Prometheus that answers by a function of the query text and records every call. */
export function scriptedMetrics(answer: (promql: string, timeMs: number) => Series[]): Metrics & { calls: Array<{ promql: string; timeMs: number }> } {
  const calls: Array<{ promql: string; timeMs: number }> = [];
  return {
    calls,
    async query(promql, timeMs) {
      calls.push({ promql, timeMs });
      return answer(promql, timeMs);
    },
  };
}

/** A judge that passes whatever has numbers, and says inconclusive otherwise (tests of the plumbing, not of judging). */
export const echoJudge: Judge = (spec, canary, stable, ctx): MetricVerdict => {
  const noData = canary.value === null || stable.value === null;
  const few = canary.requests !== undefined && canary.requests < ctx.minRequests;
  return {
    metric: spec.name,
    verdict: noData || few ? "inconclusive" : spec.max !== undefined && canary.value !== null && canary.value > spec.max ? "fail" : "pass",
    critical: false,
    canary: canary.value,
    stable: stable.value,
    ...(canary.requests === undefined ? {} : { canaryRequests: canary.requests }),
    reason: noData ? "no data" : few ? "too few requests" : "ok",
  };
};

/** An AnalysisStart for `service` in `namespace` (v1 stable, v2 canary, 10 s interval, default metrics). */
export function analysisStart(namespace: string, service: string, over: Partial<AnalysisStart> = {}): AnalysisStart {
  return {
    namespace,
    service,
    versionLabel: "version",
    stableVersion: "v1",
    canaryVersion: "v2",
    intervalSeconds: 10,
    minRequests: 20,
    metrics: [
      { name: "error-rate", builtin: "error-rate", unit: "percent", max: 1 },
      { name: "latency-p99", builtin: "latency-p99", unit: "ms", relative: { maxRatio: 1.2 } },
    ],
    ...over,
  };
}

/** A stored registration of {@link analysisStart}. */
export function stored(namespace: string, service: string, over: Partial<Registration> = {}, revision = 1): StoredRegistration {
  return {
    registration: { ...analysisStart(namespace, service), releaseId: `${namespace}/${service}/v2`, startedAt: 0, ...over },
    revision,
  };
}
