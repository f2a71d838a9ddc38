/**
 * The sequential judge of one release: running totals of 5xx and of slow requests per version →
 * rollback | pass | undecided, after every scrape. Pure.
 *
 * α is spent once for the release: each metric's comparison gets α / (number of metrics), so the
 * probability that a canary within tolerance on every metric is ever rolled back is ≤ α, and so is
 * the probability that one beyond tolerance on some metric is ever passed. `regressionCrossed` is
 * the cheap form of the rollback test (one mixture evaluation per metric unless the point
 * estimates already point at a regression); it agrees with `judgeSequential` (property-tested).
 */
import { compareRates, decideRates, describeComparison, type Comparison, type ComparisonSpec, type VersionCounts } from "./sequential.js";
import { defaultPrior, logMixture, rateInterval, type BetaPrior } from "./sequential-bounds.js";

/** The knobs of the sequential judge, as fractions of requests. */
export interface SequentialSettings {
  /** Error level of the whole release (false rollback, false pass), e.g. 0.05. */
  alpha: number;
  /** 5xx: the canary may exceed stable by `maxDelta` and may never exceed `max`. */
  errors: { maxDelta: number; max?: number | undefined };
  /** Slow requests (above the latency boundary): the canary's share may exceed stable's by `maxDelta`. */
  latency?: { maxDelta: number } | undefined;
  prior?: BetaPrior | undefined;
}

/** Running totals of one release since its canary got traffic. */
export interface SequentialTotals {
  errors: { canary: VersionCounts; stable: VersionCounts };
  /** Requests slower than `boundaryMs` (a histogram bucket boundary near stable's p99). */
  latency?: { boundaryMs: number; canary: VersionCounts; stable: VersionCounts } | undefined;
}

/** One metric's evidence. */
export interface SequentialEvidence {
  metric: "errors" | "latency";
  comparison: Comparison;
  /** The evidence in words. */
  text: string;
}

/** The judge's answer at one look. */
export interface SequentialVerdict {
  decision: "rollback" | "pass" | "undecided";
  evidence: SequentialEvidence[];
  reason: string;
}

interface Check {
  metric: "errors" | "latency";
  what: string;
  canary: VersionCounts;
  stable: VersionCounts;
  spec: ComparisonSpec;
}

function checks(t: SequentialTotals, s: SequentialSettings): Check[] {
  const prior = s.prior ?? defaultPrior;
  const withLatency = s.latency !== undefined && t.latency !== undefined;
  const alpha = s.alpha / (withLatency ? 2 : 1);
  const out: Check[] = [
    { metric: "errors", what: "5xx", canary: t.errors.canary, stable: t.errors.stable, spec: { alpha, maxDelta: s.errors.maxDelta, max: s.errors.max, prior } },
  ];
  if (withLatency && s.latency !== undefined && t.latency !== undefined) {
    out.push({
      metric: "latency",
      what: `requests slower than ${t.latency.boundaryMs} ms`,
      canary: t.latency.canary,
      stable: t.latency.stable,
      spec: { alpha, maxDelta: s.latency.maxDelta, prior },
    });
  }
  return out;
}

/** Judge the totals: any regression → rollback; every metric within tolerance → pass; else undecided. */
export function judgeSequential(totals: SequentialTotals, settings: SequentialSettings): SequentialVerdict {
  const evidence = checks(totals, settings).map((c) => {
    const comparison = compareRates(c.canary, c.stable, c.spec);
    return { metric: c.metric, comparison, text: describeComparison(c.what, comparison, c.spec) };
  });
  const bad = evidence.filter((e) => e.comparison.decision === "regression");
  if (bad.length > 0) return { decision: "rollback", evidence, reason: bad.map((e) => e.text).join("; ") };
  if (evidence.every((e) => e.comparison.decision === "within-tolerance")) {
    return { decision: "pass", evidence, reason: evidence.map((e) => e.text).join("; ") };
  }
  return { decision: "undecided", evidence, reason: evidence.filter((e) => e.comparison.decision === "undecided").map((e) => e.text).join("; ") };
}

/** The decision alone, without the sentences (for simulations that look millions of times). */
export function decideSequential(totals: SequentialTotals, settings: SequentialSettings): SequentialVerdict["decision"] {
  const decisions = checks(totals, settings).map((c) => decideRates(c.canary, c.stable, c.spec).decision);
  if (decisions.includes("regression")) return "rollback";
  return decisions.every((d) => d === "within-tolerance") ? "pass" : "undecided";
}

/** Is the canary's rate certainly above `p`? (p below its interval, level `alpha`.) */
function certainlyAbove(c: VersionCounts, p: number, alpha: number, prior: BetaPrior): boolean {
  if (c.requests <= 0 || c.events / c.requests <= p) return false;
  if (p <= 0) return c.events > 0;
  return logMixture(c.events, c.requests, p, prior) > Math.log(1 / alpha);
}

/** The rollback test alone, cheaply: true exactly when `judgeSequential` says rollback. */
export function regressionCrossed(totals: SequentialTotals, settings: SequentialSettings): boolean {
  for (const c of checks(totals, settings)) {
    const half = c.spec.alpha / 2;
    const prior = c.spec.prior ?? defaultPrior;
    if (c.spec.max !== undefined && certainlyAbove(c.canary, c.spec.max, half, prior)) return true;
    // Lc − Us > δ needs p̂c − p̂s > δ first (Lc ≤ p̂c, Us ≥ p̂s); only then are the bounds computed.
    const pc = c.canary.requests > 0 ? c.canary.events / c.canary.requests : 0;
    const ps = c.stable.requests > 0 ? c.stable.events / c.stable.requests : 0;
    if (c.canary.requests > 0 && pc - ps > c.spec.maxDelta) {
      const upperStable = rateInterval(c.stable.events, c.stable.requests, half, prior).upper;
      const lowerCanary = rateInterval(c.canary.events, c.canary.requests, half, prior).lower;
      if (lowerCanary - upperStable > c.spec.maxDelta) return true;
    }
  }
  return false;
}
