// "The simulated world is healthy when it says so": a healthy canary (same latency profile as stable)
// must not fail the default relative latency bound (`latency-p99 ≤ 1.2 × stable`) as Prometheus's
// histogram_quantile computes it over Istio's buckets, with the demo's sample sizes.
import { describe, expect, it } from "vitest";
import { fitLogNormal, LatencyProfile, sampleLatency, type LatencyTarget } from "./latency.js";
import { createRng } from "./prng.js";
import { IstioBuckets } from "./telemetry.js";

/** Prometheus's histogram_quantile over cumulative Istio buckets (linear inside a bucket). */
function histogramQuantile(q: number, samples: readonly number[]): number {
  const counts = new Array<number>(IstioBuckets.length + 1).fill(0);
  for (const x of samples) {
    const i = IstioBuckets.findIndex((b) => x <= b);
    counts[i < 0 ? IstioBuckets.length : i]! += 1;
  }
  const rank = q * samples.length;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const before = cum;
    cum += counts[i]!;
    if (cum >= rank) {
      if (i === IstioBuckets.length) return IstioBuckets[IstioBuckets.length - 1]!;
      const lo = i === 0 ? 0 : IstioBuckets[i - 1]!;
      return lo + (IstioBuckets[i]! - lo) * ((rank - before) / counts[i]!);
    }
  }
  return NaN;
}

/** Share of intervals where a canary drawn from the same profile as stable fails p99 ≤ 1.2 × stable. */
function falseFailRate(profile: LatencyTarget, canaryN: number, stableN: number, intervals: number): number {
  const d = fitLogNormal(profile);
  const rng = createRng(20261203);
  let fails = 0;
  for (let k = 0; k < intervals; k++) {
    const canary = Array.from({ length: canaryN }, () => sampleLatency(d, rng));
    const stable = Array.from({ length: stableN }, () => sampleLatency(d, rng));
    if (histogramQuantile(0.99, canary) > 1.2 * histogramQuantile(0.99, stable)) fails++;
  }
  return fails / intervals;
}

describe("the default latency profile is healthy under the default latency judge", () => {
  // 100 rps, 5 s intervals: 10 % → 50 canary / 450 stable requests; 50 % → 250 / 250.
  it.each([
    ["10 % step", 50, 450],
    ["50 % step", 250, 250],
  ])("%s: a healthy canary fails p99 ≤ 1.2 × stable in under 1 percent of the intervals", (_step, canaryN, stableN) => {
    expect(falseFailRate(LatencyProfile.normal, canaryN, stableN, 2000)).toBeLessThan(0.01);
  });

  it("the old default (p99 100 ms, on a bucket edge) failed a healthy canary in about a third of the intervals", () => {
    expect(falseFailRate({ p50Ms: 25, p99Ms: 100 }, 50, 450, 1000)).toBeGreaterThan(0.2);
    expect(falseFailRate({ p50Ms: 25, p99Ms: 100 }, 250, 250, 1000)).toBeGreaterThan(0.2);
  });

  it("the default p99 sits inside a bucket, away from both edges", () => {
    const p99 = LatencyProfile.normal.p99Ms;
    const upper = IstioBuckets.find((b) => b >= p99)!;
    const lower = [...IstioBuckets].reverse().find((b) => b < p99)!;
    expect(Math.min(p99 - lower, upper - p99) / (upper - lower)).toBeGreaterThan(0.2);
  });
});
