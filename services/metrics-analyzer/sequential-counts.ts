/**
 * Sequential judging in the analyzer. Pure: raw Istio counters of every sequential release (three
 * queries per tick for all of them: requests, 5xx, duration buckets) → each release's running
 * totals since its analysis started → the sequential judge (workflows/canary/sequential-judge.ts).
 *
 * Counters are read as they stand and differenced tick to tick, as Prometheus' `increase()` does: a
 * value below the previous one is a reset (a restarted proxy), and then the new value is the
 * increment. The latency boundary is fixed at the first tick from stable's cumulative histogram,
 * i.e. from traffic served before the canary's, so the test never chooses it from the data it tests.
 */
import type { MetricVerdict } from "../../schemas/analysis.js";
import { latencyBoundary } from "../../workflows/canary/histogram.js";
import { judgeSequential, regressionCrossed, type SequentialSettings, type SequentialTotals } from "../../workflows/canary/sequential-judge.js";
import type { LabelNames } from "./builtin-queries.js";
import { pickSeries } from "./evaluate.js";
import type { Series } from "./ports.js";
import type { Counts, Registration, SequentialCounts } from "./registration.js";

/** The raw counter results of one tick (each null when its query failed). */
export interface CounterResults {
  requests: readonly Series[] | null;
  errors: readonly Series[] | null;
  buckets: readonly Series[] | null;
}

/** A version's duration buckets as `[le, cumulative count]`, ascending, +Inf last. */
function bucketsOf(series: readonly Series[], reg: Registration, version: string, labels: LabelNames): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const s of series) {
    if (s.labels[labels.namespace] !== reg.namespace || s.labels[labels.service] !== reg.service) continue;
    if ((s.labels[labels.version] ?? s.labels[reg.versionLabel]) !== version) continue;
    const le = s.labels["le"] === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels["le"]);
    if (Number.isNaN(le) || !Number.isFinite(s.value)) continue;
    out.push([le, s.value]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function countOf(series: readonly Series[], reg: Registration, version: string, labels: LabelNames): number {
  const p = pickSeries(series, reg, version, labels);
  return p.kind === "value" && p.value !== null ? Math.max(0, p.value) : 0;
}

/** Requests above `boundary` in cumulative buckets: count(+Inf) − count(le = boundary). */
function slowOf(buckets: ReadonlyArray<[number, number]>, boundary: number | null): number {
  if (boundary === null) return 0;
  const total = buckets.find(([le]) => le === Number.POSITIVE_INFINITY)?.[1] ?? 0;
  const at = buckets.find(([le]) => le === boundary)?.[1] ?? total;
  return Math.max(0, total - at);
}

/** The boundary from stable's cumulative buckets (their history before the canary's first tick). */
export function boundaryOf(buckets: ReadonlyArray<[number, number]>): number | null {
  const finite = buckets.filter(([le]) => Number.isFinite(le));
  const total = buckets.find(([le]) => le === Number.POSITIVE_INFINITY)?.[1];
  if (finite.length === 0 || total === undefined) return null;
  const counts = finite.map(([, c], i) => Math.max(0, c - (i === 0 ? 0 : (finite[i - 1] as [number, number])[1])));
  counts.push(Math.max(0, total - (finite[finite.length - 1] as [number, number])[1]));
  return latencyBoundary(0.99, { bounds: finite.map(([le]) => le), counts });
}

const step = (cur: number, last: number) => (cur >= last ? cur - last : cur);

/**
 * Advance a release's counts with this tick's results. Null when a query failed (the counts wait
 * for the next tick; nothing is lost, the counters keep counting).
 */
export function advanceCounts(reg: Registration, r: CounterResults, labels: LabelNames): SequentialCounts | null {
  if (r.requests === null || r.errors === null || r.buckets === null) return null;
  const prev = reg.counts;
  const boundaryMs = prev === undefined ? boundaryOf(bucketsOf(r.buckets, reg, reg.stableVersion, labels)) : prev.boundaryMs;
  const raw = (version: string): Counts => ({
    requests: countOf(r.requests ?? [], reg, version, labels),
    errors: countOf(r.errors ?? [], reg, version, labels),
    slow: slowOf(bucketsOf(r.buckets ?? [], reg, version, labels), boundaryMs),
  });
  const now = { canary: raw(reg.canaryVersion), stable: raw(reg.stableVersion) };
  if (prev === undefined) {
    const zero = { requests: 0, errors: 0, slow: 0 };
    return { boundaryMs, last: now, totals: { canary: { ...zero }, stable: { ...zero } } };
  }
  const add = (t: Counts, cur: Counts, last: Counts): Counts => ({
    requests: t.requests + step(cur.requests, last.requests),
    errors: t.errors + step(cur.errors, last.errors),
    slow: t.slow + step(cur.slow, last.slow),
  });
  return {
    ...prev,
    last: now,
    totals: { canary: add(prev.totals.canary, now.canary, prev.last.canary), stable: add(prev.totals.stable, now.stable, prev.last.stable) },
  };
}

/** The judge's settings from the release's metrics: `error-rate`'s max and maxDelta (percent → fraction). */
export function settingsOf(reg: Registration): SequentialSettings | null {
  if (reg.sequential === undefined) return null;
  const err = reg.metrics.find((m) => m.builtin === "error-rate");
  if (err === undefined) return null;
  const latency = reg.metrics.some((m) => m.builtin === "latency-p99");
  return {
    alpha: reg.sequential.alpha,
    errors: { maxDelta: (err.relative?.maxDelta ?? Number.POSITIVE_INFINITY) / 100, max: err.max === undefined ? undefined : err.max / 100 },
    latency: latency ? { maxDelta: reg.sequential.latencyShareDelta / 100 } : undefined,
  };
}

function totalsOf(c: SequentialCounts): SequentialTotals {
  return {
    errors: { canary: { requests: c.totals.canary.requests, events: c.totals.canary.errors }, stable: { requests: c.totals.stable.requests, events: c.totals.stable.errors } },
    ...(c.boundaryMs === null
      ? {}
      : {
          latency: {
            boundaryMs: c.boundaryMs,
            canary: { requests: c.totals.canary.requests, events: c.totals.canary.slow },
            stable: { requests: c.totals.stable.requests, events: c.totals.stable.slow },
          },
        }),
  };
}

/** The msgID of a release's sequential rollback: published once (JetStream drops repeats). */
export function sequentialMessageId(releaseId: string): string {
  return `${releaseId}:analysis:sequential-rollback`;
}

/** Has the evidence crossed the rollback bound? (Cheap; called every tick.) */
export function sequentialRegression(reg: Registration, c: SequentialCounts): boolean {
  const s = settingsOf(reg);
  return s !== null && regressionCrossed(totalsOf(c), s);
}

/**
 * The verdicts of `error-rate` and `latency-p99` from the sequential evidence: a regression is a
 * critical fail (roll back now), a ruled-out regression a pass, anything else inconclusive. Keyed by
 * metric name; other metrics keep their per-interval verdicts.
 */
export function sequentialVerdicts(reg: Registration, c: SequentialCounts): Map<string, MetricVerdict> {
  const out = new Map<string, MetricVerdict>();
  const s = settingsOf(reg);
  if (s === null) return out;
  const v = judgeSequential(totalsOf(c), s);
  for (const e of v.evidence) {
    const spec = reg.metrics.find((m) => m.builtin === (e.metric === "errors" ? "error-rate" : "latency-p99"));
    if (spec === undefined) continue;
    const cmp = e.comparison;
    const verdict = cmp.decision === "regression" ? "fail" : cmp.decision === "within-tolerance" ? "pass" : "inconclusive";
    out.set(spec.name, {
      metric: spec.name,
      verdict,
      critical: verdict === "fail",
      // Error rates in the metric's unit (percent); a slow-request share is not in ms: words only.
      canary: e.metric === "errors" && cmp.canary.rate !== null ? cmp.canary.rate * 100 : null,
      stable: e.metric === "errors" && cmp.stable.rate !== null ? cmp.stable.rate * 100 : null,
      canaryRequests: cmp.canary.requests,
      threshold: "sequential, anytime-valid",
      reason: `${spec.name} (sequential) ${e.text}`,
    });
  }
  return out;
}
