/** Payloads of `cmd.analysis.*` and `evt.analysis.*`, and the verdict every metric gets. */
import { Type, type Static } from "typebox";
import { EpochMs, K8sName, K8sNamespace, Strict, StringEnum, Version } from "./common.js";
import { MetricSpec } from "./rollout.js";

/** The four outcomes of judging one metric for one interval (as Argo Rollouts' EvaluateResult). */
export const VerdictKind = ["pass", "fail", "inconclusive", "error"] as const;
export type VerdictKind = (typeof VerdictKind)[number];

/** The samples of one metric for one version over an interval. */
export const MetricSample = Strict({
  /** The metric's value (NaN is sent as null: no data). */
  value: Type.Union([Type.Number(), Type.Null()]),
  /** Requests seen in the interval, when known. */
  requests: Type.Optional(Type.Number({ minimum: 0 })),
  /** Failed requests (5xx), when known (for statistical tests on error ratios). */
  errors: Type.Optional(Type.Number({ minimum: 0 })),
  /** Raw observations (e.g. latencies), when the provider has them (for Mann-Whitney). */
  observations: Type.Optional(Type.Array(Type.Number(), { maxItems: 10000 })),
});
export type MetricSample = Static<typeof MetricSample>;

/** One metric's verdict, with the numbers and a sentence saying why. */
export const MetricVerdict = Strict({
  metric: Type.String(),
  verdict: StringEnum(VerdictKind),
  /** A critical bound was crossed: roll back now. */
  critical: Type.Boolean(),
  canary: Type.Union([Type.Number(), Type.Null()]),
  stable: Type.Union([Type.Number(), Type.Null()]),
  /** The bound that was applied, e.g. `<= 1.20 × stable (14.3 ms)`. */
  threshold: Type.Optional(Type.String()),
  canaryRequests: Type.Optional(Type.Number()),
  /** p-value of the statistical comparison, when one ran. */
  pValue: Type.Optional(Type.Number()),
  reason: Type.String(),
});
export type MetricVerdict = Static<typeof MetricVerdict>;

/** `cmd.analysis.start`: judge this release every interval until stopped. */
export const AnalysisStart = Strict({
  namespace: K8sNamespace,
  /** Istio canonical service (the `app` label). */
  service: K8sName,
  versionLabel: Type.String(),
  stableVersion: Version,
  canaryVersion: Version,
  intervalSeconds: Type.Integer({ minimum: 1 }),
  minRequests: Type.Integer({ minimum: 0 }),
  metrics: Type.Array(MetricSpec),
  /** Judge error-rate and latency-p99 sequentially after every scrape (defaults resolved). */
  sequential: Type.Optional(Strict({ alpha: Type.Number({ exclusiveMinimum: 0, maximum: 0.5 }), latencyShareDelta: Type.Number({ exclusiveMinimum: 0 }) })),
});
export type AnalysisStart = Static<typeof AnalysisStart>;

/** `cmd.analysis.stop`. */
export const AnalysisStop = Strict({ reason: Type.String() });
export type AnalysisStop = Static<typeof AnalysisStop>;

/** `evt.analysis.completed`: one interval judged. */
export const AnalysisCompleted = Strict({
  /** Interval start and end (ms). */
  windowStart: EpochMs,
  windowEnd: EpochMs,
  canaryVersion: Version,
  verdicts: Type.Array(MetricVerdict),
});
export type AnalysisCompleted = Static<typeof AnalysisCompleted>;
