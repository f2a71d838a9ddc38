/**
 * Fan-out of query results to releases. Pure: each release picks its canary and stable series by
 * (namespace, service, version), the judge turns the samples into verdicts. No data (no series, NaN,
 * ±Inf) is `null`, never 0; a failed query is an `error` verdict, never a pass.
 */
import type { AnalysisCompleted, MetricSample, MetricVerdict } from "../../schemas/analysis.js";
import type { MetricSpec } from "../../schemas/rollout.js";
import type { LabelNames } from "./builtin-queries.js";
import type { MetricSource, ReleasePlan } from "./plan.js";
import type { Judge, Series } from "./ports.js";
import type { Registration } from "./registration.js";

/** The outcome of one planned query. */
export type QueryOutcome = { ok: true; series: readonly Series[] } | { ok: false; error: string };

/** What a release's series lookup found. */
export type SeriesPick = { kind: "value"; value: number | null } | { kind: "ambiguous"; count: number };

/** Fallback labels for custom queries over non-Istio metrics (Kubernetes SD adds `namespace`; apps use `app`). */
const NAMESPACE_FALLBACKS = ["namespace"] as const;
const SERVICE_FALLBACKS = ["service", "app"] as const;

function first(labels: Readonly<Record<string, string>>, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = labels[n];
    if (v !== undefined) return v;
  }
  return undefined;
}

type SeriesIndex = Map<string, Series[]>;

/**
 * Series of a query result by (version, namespace, service) label values, built once per result and
 * label set: every release looks its series up instead of scanning the whole result, which made the
 * fan-out O(releases × series), i.e. O(n²). Results are never mutated after the query returns.
 */
const indexes = new WeakMap<readonly Series[], Map<string, SeriesIndex>>();

function indexKey(version: string, ns: string | undefined, svc: string | undefined): string {
  return JSON.stringify([version, ns ?? null, svc ?? null]);
}

function seriesIndex(series: readonly Series[], labels: LabelNames, versionLabel: string): SeriesIndex {
  let byLabels = indexes.get(series);
  if (byLabels === undefined) {
    byLabels = new Map();
    indexes.set(series, byLabels);
  }
  const labelsKey = JSON.stringify([labels.version, labels.namespace, labels.service, versionLabel]);
  let idx = byLabels.get(labelsKey);
  if (idx === undefined) {
    idx = new Map();
    for (const s of series) {
      const v = first(s.labels, [labels.version, versionLabel]);
      if (v === undefined) continue;
      const key = indexKey(v, first(s.labels, [labels.namespace, ...NAMESPACE_FALLBACKS]), first(s.labels, [labels.service, ...SERVICE_FALLBACKS]));
      const list = idx.get(key);
      if (list === undefined) idx.set(key, [s]);
      else list.push(s);
    }
    byLabels.set(labelsKey, idx);
  }
  return idx;
}

/**
 * The value of `version` of `reg`'s service in `series`. A series matches when its namespace, service
 * and version labels equal the release's; a query rendered for the release's namespace (service) also
 * accepts series without that label. The version label may also be the rollout's own `versionLabel`.
 */
export function pickSeries(
  series: readonly Series[],
  reg: Pick<Registration, "namespace" | "service" | "versionLabel">,
  version: string,
  labels: LabelNames,
  specific: { namespace: boolean; service: boolean } = { namespace: false, service: false },
): SeriesPick {
  const idx = seriesIndex(series, labels, reg.versionLabel);
  const at = (ns: string | undefined, svc: string | undefined) => idx.get(indexKey(version, ns, svc)) ?? [];
  const matches = [
    ...at(reg.namespace, reg.service),
    ...(specific.namespace ? at(undefined, reg.service) : []),
    ...(specific.service ? at(reg.namespace, undefined) : []),
    ...(specific.namespace && specific.service ? at(undefined, undefined) : []),
  ];
  if (matches.length > 1) return { kind: "ambiguous", count: matches.length };
  const value = matches[0]?.value;
  return { kind: "value", value: value !== undefined && Number.isFinite(value) ? value : null };
}

/** An `error` verdict: the numbers could not be obtained, so nothing is known about the canary. */
export function errorVerdict(spec: MetricSpec, reason: string): MetricVerdict {
  return { metric: spec.name, verdict: "error", critical: false, canary: null, stable: null, reason };
}

function outcomeOf(outcomes: ReadonlyMap<string, QueryOutcome>, key: string): QueryOutcome {
  return outcomes.get(key) ?? { ok: false, error: "the query was not run" };
}

function describe(reg: Registration, version: string): string {
  return `${reg.namespace}/${reg.service} version ${version}`;
}

/** Judge one metric of one release. */
export function verdictFor(
  plan: ReleasePlan,
  source: MetricSource,
  outcomes: ReadonlyMap<string, QueryOutcome>,
  judge: Judge,
  labels: LabelNames,
): MetricVerdict {
  const spec = source.spec;
  if (source.kind === "invalid") return errorVerdict(spec, source.reason);
  const reg = plan.window.registration;

  const value = outcomeOf(outcomes, source.valueKey);
  if (!value.ok) return errorVerdict(spec, `query for "${spec.name}" failed: ${value.error}`);

  const requests = outcomeOf(outcomes, plan.requestsKey);
  if (!requests.ok && reg.minRequests > 0) {
    return errorVerdict(spec, `request count query failed, so the minRequests guard cannot apply: ${requests.error}`);
  }
  let errors: QueryOutcome | undefined;
  if (source.errorsKey !== undefined) {
    errors = outcomeOf(outcomes, source.errorsKey);
    if (!errors.ok) return errorVerdict(spec, `5xx count query failed, so the statistical test cannot run: ${errors.error}`);
  }

  const samples: MetricSample[] = [];
  for (const version of [reg.canaryVersion, reg.stableVersion]) {
    const v = pickSeries(value.series, reg, version, labels, source.specific);
    if (v.kind === "ambiguous") {
      return errorVerdict(
        spec,
        `query for "${spec.name}" returned ${v.count} series for ${describe(reg, version)}; group it by namespace, service and version`,
      );
    }
    const sample: MetricSample = { value: v.value };
    if (requests.ok) sample.requests = countOf(requests.series, reg, version, labels);
    if (errors?.ok === true) sample.errors = countOf(errors.series, reg, version, labels);
    samples.push(sample);
  }
  const [canary, stable] = samples as [MetricSample, MetricSample];
  try {
    return judge(spec, canary, stable, { minRequests: reg.minRequests, intervalSeconds: reg.intervalSeconds });
  } catch (err) {
    return errorVerdict(spec, `judge failed on "${spec.name}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A count (requests, 5xx) of a version: no series means none were seen. */
function countOf(series: readonly Series[], reg: Registration, version: string, labels: LabelNames): number {
  const p = pickSeries(series, reg, version, labels);
  return p.kind === "value" && p.value !== null ? Math.max(0, p.value) : 0;
}

/** The `evt.analysis.completed` payload of one due release. */
export function evaluateRelease(
  plan: ReleasePlan,
  outcomes: ReadonlyMap<string, QueryOutcome>,
  judge: Judge,
  labels: LabelNames,
): AnalysisCompleted {
  const reg = plan.window.registration;
  return {
    windowStart: plan.window.windowStart,
    windowEnd: plan.window.windowEnd,
    canaryVersion: reg.canaryVersion,
    verdicts: plan.metrics.map((m) => verdictFor(plan, m, outcomes, judge, labels)),
  };
}

/** The JetStream msgID of a release's analysis of a window: repeats (redelivery, restart, replicas) are dropped. */
export function analysisMessageId(releaseId: string, windowEnd: number): string {
  return `${releaseId}:analysis:${windowEnd}`;
}
