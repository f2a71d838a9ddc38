/**
 * The judge: metric samples of one analysis interval → a verdict per metric, with the numbers and
 * a sentence saying why. Pure. No data is never a pass; a failed query is an error verdict.
 *
 * Order of checks: query error → no canary data → too few canary requests → critical bound →
 * absolute max/min → bounds relative to stable → (optional) statistical confirmation. With
 * `statistical.alpha` set, a crossed *relative* bound fails only when the canary is also
 * significantly worse (the bound is the tolerated effect size, as Kayenta's allowedIncrease);
 * absolute bounds are SLOs and are never softened by the test.
 */
import type { MetricSample, MetricVerdict, VerdictKind } from "../../schemas/analysis.js";
import type { MetricSpec } from "../../schemas/rollout.js";
import { fmt, pval, withUnit } from "./format.js";
import { mannWhitneyGreater, twoProportionTest, type TestResult } from "./stats.js";

/** What the analyzer measured for one metric in one interval. */
export interface MetricObservation {
  canary?: MetricSample | undefined;
  stable?: MetricSample | undefined;
  /** The query failed: the verdict is `error`, not a failure of the canary. */
  error?: string | undefined;
}

/** Knobs of the judge that are not per metric. */
export interface JudgeOptions {
  /** Fewer canary requests than this makes the metric inconclusive. */
  minRequests: number;
}

function valueOf(s: MetricSample | undefined): number | null {
  if (s === undefined || s.value === null || !Number.isFinite(s.value)) return null;
  return s.value;
}

function statTest(c: MetricSample | undefined, s: MetricSample | undefined): TestResult | null {
  if (c?.errors !== undefined && c.requests !== undefined && s?.errors !== undefined && s.requests !== undefined) {
    return twoProportionTest(c.errors, c.requests, s.errors, s.requests);
  }
  if (c?.observations !== undefined && s?.observations !== undefined) {
    return mannWhitneyGreater(c.observations, s.observations);
  }
  return null;
}

interface RelativeCheck {
  ok: boolean;
  text: string;
  bound: string;
}

function relativeChecks(spec: MetricSpec, canary: number, stable: number): RelativeCheck[] {
  const out: RelativeCheck[] = [];
  const u = spec.unit;
  const rel = spec.relative ?? {};
  if (rel.maxRatio !== undefined) {
    const bound = rel.maxRatio * stable;
    const ok = canary <= bound;
    out.push({
      ok,
      text: `${spec.name} ${withUnit(canary, u)} ${ok ? "≤" : ">"} ${fmt(rel.maxRatio)} × stable ${withUnit(stable, u)} = ${withUnit(bound, u)}`,
      bound: `≤ ${fmt(rel.maxRatio)} × stable (${withUnit(bound, u)})`,
    });
  }
  if (rel.maxDelta !== undefined) {
    const bound = stable + rel.maxDelta;
    const ok = canary <= bound;
    out.push({
      ok,
      text: `${spec.name} ${withUnit(canary, u)} ${ok ? "≤" : ">"} stable ${withUnit(stable, u)} + ${fmt(rel.maxDelta)} = ${withUnit(bound, u)}`,
      bound: `≤ stable + ${fmt(rel.maxDelta)} (${withUnit(bound, u)})`,
    });
  }
  return out;
}

/** Judge one metric for one interval. */
export function judgeMetric(spec: MetricSpec, obs: MetricObservation, opts: JudgeOptions): MetricVerdict {
  const canary = valueOf(obs.canary);
  const stable = valueOf(obs.stable);
  const requests = obs.canary?.requests;
  const base = {
    metric: spec.name,
    critical: false,
    canary,
    stable,
    ...(requests === undefined ? {} : { canaryRequests: requests }),
  };
  const u = spec.unit;
  if (obs.error !== undefined) {
    return { ...base, verdict: "error", reason: `${spec.name}: query failed: ${obs.error}` };
  }
  if (canary === null) {
    return { ...base, verdict: "inconclusive", reason: `${spec.name}: no data for the canary (empty or NaN); no data is never a pass` };
  }
  if (requests !== undefined && requests < opts.minRequests) {
    return {
      ...base,
      verdict: "inconclusive",
      reason: `${spec.name}: only ${fmt(requests)} canary requests in the interval, need ${opts.minRequests}`,
    };
  }
  if (spec.criticalMax !== undefined && canary > spec.criticalMax) {
    return {
      ...base,
      verdict: "fail",
      critical: true,
      threshold: `≤ ${withUnit(spec.criticalMax, u)} (critical)`,
      reason: `${spec.name} ${withUnit(canary, u)} > critical bound ${withUnit(spec.criticalMax, u)}: roll back now`,
    };
  }
  const bounds: string[] = [];
  const failed: string[] = [];
  const passed: string[] = [];
  if (spec.max !== undefined) {
    bounds.push(`≤ ${withUnit(spec.max, u)}`);
    (canary > spec.max ? failed : passed).push(`${spec.name} ${withUnit(canary, u)} ${canary > spec.max ? ">" : "≤"} max ${withUnit(spec.max, u)}`);
  }
  if (spec.min !== undefined) {
    bounds.push(`≥ ${withUnit(spec.min, u)}`);
    (canary < spec.min ? failed : passed).push(`${spec.name} ${withUnit(canary, u)} ${canary < spec.min ? "<" : "≥"} min ${withUnit(spec.min, u)}`);
  }
  const hasRelative = spec.relative?.maxRatio !== undefined || spec.relative?.maxDelta !== undefined;
  const alpha = spec.statistical?.alpha;
  let pValue: number | undefined;
  if (hasRelative || alpha !== undefined) {
    if (stable === null) {
      if (failed.length > 0) return { ...base, verdict: "fail", threshold: bounds.join("; "), reason: failed.join("; ") };
      return { ...base, verdict: "inconclusive", reason: `${spec.name}: no data for stable; cannot compare ${withUnit(canary, u)} with it` };
    }
    const rel = relativeChecks(spec, canary, stable);
    bounds.push(...rel.map((r) => r.bound));
    const crossed = rel.filter((r) => !r.ok);
    const test = alpha === undefined ? null : statTest(obs.canary, obs.stable);
    if (test !== null) pValue = test.pValue;
    if (alpha === undefined) {
      failed.push(...crossed.map((r) => r.text));
      passed.push(...rel.filter((r) => r.ok).map((r) => r.text));
    } else if (hasRelative) {
      passed.push(...rel.filter((r) => r.ok).map((r) => r.text));
      for (const r of crossed) {
        if (test === null) failed.push(`${r.text} (no raw samples for a statistical test)`);
        else if (test.pValue < alpha) failed.push(`${r.text}, significantly worse (${test.method} ${pval(test.pValue)} < α ${fmt(alpha)})`);
        else passed.push(`${r.text}, but not significantly worse (${test.method} ${pval(test.pValue)} ≥ α ${fmt(alpha)})`);
      }
    } else if (test !== null) {
      bounds.push(`not significantly worse than stable (α ${fmt(alpha)})`);
      const vs = `${withUnit(canary, u)} vs stable ${withUnit(stable, u)}`;
      if (test.pValue < alpha) failed.push(`${spec.name} significantly worse than stable: ${vs} (${test.method} ${pval(test.pValue)} < α ${fmt(alpha)})`);
      else passed.push(`${spec.name} not significantly worse than stable: ${vs} (${test.method} ${pval(test.pValue)})`);
    }
  }
  const threshold = bounds.length > 0 ? { threshold: bounds.join("; ") } : {};
  const p = pValue === undefined ? {} : { pValue };
  if (failed.length > 0) return { ...base, ...threshold, ...p, verdict: "fail", reason: failed.join("; ") };
  const reason = passed.length > 0 ? passed.join("; ") : `${spec.name} ${withUnit(canary, u)} (no bounds set)`;
  return { ...base, ...threshold, ...p, verdict: "pass", reason };
}

/** Judge every metric of a rollout for one interval; a metric missing from `observations` has no data. */
export function judgeInterval(
  metrics: readonly MetricSpec[],
  observations: Readonly<Record<string, MetricObservation>>,
  opts: JudgeOptions,
): MetricVerdict[] {
  return metrics.map((m) => judgeMetric(m, observations[m.name] ?? {}, opts));
}

/** One word for an interval: any fail → fail; else any error → error; else any inconclusive (or none judged) → inconclusive; else pass. */
export function summarize(verdicts: readonly Pick<MetricVerdict, "verdict">[]): VerdictKind {
  if (verdicts.length === 0) return "inconclusive";
  if (verdicts.some((v) => v.verdict === "fail")) return "fail";
  if (verdicts.some((v) => v.verdict === "error")) return "error";
  if (verdicts.some((v) => v.verdict === "inconclusive")) return "inconclusive";
  return "pass";
}
