/**
 * Statistical comparisons of canary against stable, one-sided ("is the canary worse?").
 * Error ratios use a two-proportion test (Fisher's exact test when counts are small, else the
 * pooled z-test); latencies use Mann-Whitney U with the normal approximation, tie correction and
 * continuity correction. Pure.
 */
import { errorFunction, gammaln, wilcoxonRankSum } from "simple-statistics";

/** Φ(z), the standard normal CDF, via the error function (smooth, unlike the 0.01-step table). */
export function normalCdf(z: number): number {
  if (z === Number.POSITIVE_INFINITY) return 1;
  if (z === Number.NEGATIVE_INFINITY) return 0;
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/** Result of a one-sided test: the p-value of "canary is worse" and the method used. */
export interface TestResult {
  pValue: number;
  method: "fisher" | "z" | "mann-whitney";
}

function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  if (k === 0 || k === n) return 0;
  return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);
}

/** One-sided Fisher exact test: P(X ≥ a) for X ~ Hypergeometric(N, K errors, n canary requests). */
export function fisherGreater(canaryErrors: number, canaryTotal: number, stableErrors: number, stableTotal: number): number {
  const total = canaryTotal + stableTotal;
  const errors = canaryErrors + stableErrors;
  const denom = logChoose(total, canaryTotal);
  let p = 0;
  for (let x = canaryErrors; x <= Math.min(errors, canaryTotal); x++) {
    p += Math.exp(logChoose(errors, x) + logChoose(total - errors, canaryTotal - x) - denom);
  }
  return Math.min(1, Math.max(0, p));
}

/**
 * Is the canary's error ratio greater than stable's? Returns null when either side saw no requests.
 * Fisher's exact test when any expected cell count is below 5 (sparse error data, Kayenta#426).
 */
export function twoProportionTest(
  canaryErrors: number,
  canaryTotal: number,
  stableErrors: number,
  stableTotal: number,
): TestResult | null {
  if (canaryTotal <= 0 || stableTotal <= 0) return null;
  const e1 = Math.min(Math.round(canaryErrors), Math.round(canaryTotal));
  const n1 = Math.round(canaryTotal);
  const e2 = Math.min(Math.round(stableErrors), Math.round(stableTotal));
  const n2 = Math.round(stableTotal);
  const pooled = (e1 + e2) / (n1 + n2);
  const expected = [n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)];
  if (Math.min(...expected) < 5) return { pValue: fisherGreater(e1, n1, e2, n2), method: "fisher" };
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = (e1 / n1 - e2 / n2) / se;
  return { pValue: 1 - normalCdf(z), method: "z" };
}

/**
 * Mann-Whitney U: are the canary's observations stochastically greater than stable's?
 * Returns null with fewer than 3 observations on a side (the approximation means nothing there).
 */
export function mannWhitneyGreater(canary: readonly number[], stable: readonly number[]): TestResult | null {
  const x = canary.filter(Number.isFinite);
  const y = stable.filter(Number.isFinite);
  const n1 = x.length;
  const n2 = y.length;
  if (n1 < 3 || n2 < 3) return null;
  const rankSum = wilcoxonRankSum([...x], [...y]);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const sorted = [...x, ...y].sort((a, b) => a - b);
  let tieTerm = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { pValue: 1, method: "mann-whitney" };
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  return { pValue: 1 - normalCdf(z), method: "mann-whitney" };
}
