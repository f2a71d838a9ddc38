/**
 * The sequential judge: canary against stable on counts (5xx per request, requests slower than a
 * latency bound per request), looked at after every scrape, anytime-valid. Pure.
 *
 * Each version's rate gets a confidence sequence at level α/2 (sequential-bounds.ts). With
 * probability ≥ 1 − α both hold at every look at once, and then the difference canary − stable lies
 * in [Lc − Us, Uc − Ls]. So:
 * - **regression** when Lc − Us > maxDelta, or Lc > max: under "canary within tolerance" this happens
 *   with probability ≤ α over the whole release, however often it is looked at;
 * - **within tolerance** when Uc − Ls ≤ maxDelta: a regression larger than the tolerance is ruled
 *   out, wrongly with probability ≤ α;
 * - else **undecided**: not enough data yet.
 * Each version's requests are Bernoulli trials with that version's rate, whatever share of the
 * traffic it gets, so the weights may change between steps (the intervals are over requests, not
 * time). docs/decisions/sequential-analysis.md has the math, its assumptions and the references.
 */
import { fmt } from "./format.js";
import { defaultPrior, rateInterval, type BetaPrior, type RateInterval } from "./sequential-bounds.js";

/** Running totals of one version since the release started. */
export interface VersionCounts {
  /** Requests answered. */
  requests: number;
  /** Of which counted events: 5xx answers, or answers slower than the latency bound. */
  events: number;
}

/** What one comparison tolerates, as fractions of requests (0.005 = 0.5 points). */
export interface ComparisonSpec {
  /** Error level of each decision (a false regression, a false "within tolerance"). */
  alpha: number;
  /** The canary's rate may exceed stable's by this much. */
  maxDelta: number;
  /** The canary's rate may not exceed this, whatever stable does (an SLO); rollback side only. */
  max?: number | undefined;
  /** The mixture prior (default {@link defaultPrior}). */
  prior?: BetaPrior | undefined;
}

/** The three outcomes of a look. */
export const SequentialDecision = ["regression", "within-tolerance", "undecided"] as const;
export type SequentialDecision = (typeof SequentialDecision)[number];

/** The evidence of one comparison at one look. */
export interface Comparison {
  decision: SequentialDecision;
  /** Which bound decided a regression. */
  crossed?: "delta" | "max";
  canary: RateInterval & { rate: number | null; requests: number };
  stable: RateInterval & { rate: number | null; requests: number };
  /** canary − stable, in rate units; lower may be negative. */
  difference: RateInterval;
  /** The confidence of the intervals, e.g. 0.95. */
  confidence: number;
}

/** The decision of one look and the intervals it rests on, without the words (cheap to call often). */
export function decideRates(
  canary: VersionCounts,
  stable: VersionCounts,
  spec: ComparisonSpec,
): { decision: SequentialDecision; crossed?: "delta" | "max"; c: RateInterval; s: RateInterval } {
  const prior = spec.prior ?? defaultPrior;
  const half = spec.alpha / 2;
  const c = rateInterval(canary.events, canary.requests, half, prior);
  const s = rateInterval(stable.events, stable.requests, half, prior);
  if (c.lower - s.upper > spec.maxDelta) return { decision: "regression", crossed: "delta", c, s };
  if (spec.max !== undefined && c.lower > spec.max) return { decision: "regression", crossed: "max", c, s };
  if (c.upper - s.lower <= spec.maxDelta) return { decision: "within-tolerance", c, s };
  return { decision: "undecided", c, s };
}

/** Compare canary and stable totals at one look. */
export function compareRates(canary: VersionCounts, stable: VersionCounts, spec: ComparisonSpec): Comparison {
  const d = decideRates(canary, stable, spec);
  const rate = (v: VersionCounts) => (v.requests > 0 ? v.events / v.requests : null);
  return {
    decision: d.decision,
    ...(d.crossed === undefined ? {} : { crossed: d.crossed }),
    canary: { ...d.c, rate: rate(canary), requests: canary.requests },
    stable: { ...d.s, rate: rate(stable), requests: stable.requests },
    difference: { lower: d.c.lower - d.s.upper, upper: d.c.upper - d.s.lower },
    confidence: 1 - spec.alpha,
  };
}

/** A rate as percent with at most two decimals: `0.42 %`. */
export function pct(rate: number): string {
  return `${num(rate)} %`;
}

function num(rate: number): string {
  return fmt(Math.round(rate * 10000) / 100);
}

/** Points of percent, signed: `+0.42`, `−0.1`. */
function points(rate: number): string {
  const v = Math.round(rate * 10000) / 100;
  return v < 0 ? `−${fmt(-v)}` : `+${fmt(v)}`;
}

/**
 * The evidence in words, for the status, Slack and the audit, e.g. "5xx: canary 2.1 % (1.4–3 %),
 * stable 0.5 % (0.4–0.6 %); canary − stable is +0.9 to +2.5 points (95 %, anytime-valid): above the
 * tolerated +0.5 points, regression".
 */
export function describeComparison(what: string, c: Comparison, spec: ComparisonSpec): string {
  const side = (name: string, v: Comparison["canary"]) =>
    v.rate === null ? `${name} no requests yet` : `${name} ${pct(v.rate)} (${num(v.lower)}–${pct(v.upper)}, ${fmt(v.requests)} requests)`;
  const conf = `${fmt(Math.round(c.confidence * 1000) / 10)} %, anytime-valid`;
  const head = `${what}: ${side("canary", c.canary)}, ${side("stable", c.stable)}`;
  const diff = `canary − stable is ${points(c.difference.lower)} to ${points(c.difference.upper)} points (${conf})`;
  const tol = `${points(spec.maxDelta)} points`;
  switch (c.decision) {
    case "regression":
      return c.crossed === "max"
        ? `${head}; the canary is above ${pct(spec.max ?? 1)} (at least ${pct(c.canary.lower)}, ${conf}): regression`
        : `${head}; ${diff}: more than the tolerated ${tol}, regression`;
    case "within-tolerance":
      return `${head}; ${diff}: a regression beyond ${tol} is ruled out`;
    case "undecided":
      return `${head}; ${diff}: not decided yet, a regression beyond ${tol} is neither shown nor ruled out`;
    default: {
      const never: never = c.decision;
      throw new Error(`unknown decision ${String(never)}`);
    }
  }
}
