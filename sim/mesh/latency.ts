// Request latency as a log-normal distribution fitted to a median and a 99th percentile.
import type { Rng } from "./prng.js";

/** The standard normal quantile at 0.99 (Φ⁻¹(0.99)). */
export const Z99 = 2.3263478740408408;

/**
 * Named latency profiles (`sim.siskin.dev/latency-profile`), as p50/p99 in milliseconds.
 *
 * `normal` (the default) keeps its p99 well inside Istio's (100, 250] ms bucket, with almost no mass
 * beyond 250 ms. It was p50 25 / p99 100: a p99 exactly on a bucket edge, so `histogram_quantile`
 * jumped between ~98 ms and ~150-175 ms as single requests fell either side of 100 ms, and a healthy
 * canary failed `latency-p99 ≤ 1.2 × stable` in about a third of the demo's intervals (50 canary
 * requests at 10 %, 250 at 50 %), two in a row often enough to roll healthy releases back.
 * `latency.test.ts` measures both.
 */
export const LatencyProfile = {
  fast: { p50Ms: 5, p99Ms: 20 },
  normal: { p50Ms: 60, p99Ms: 140 },
  slow: { p50Ms: 300, p99Ms: 1500 },
} as const;
export type LatencyProfile = keyof typeof LatencyProfile;

/** A latency target: median and 99th percentile in milliseconds (p99 ≥ p50 > 0). */
export interface LatencyTarget {
  p50Ms: number;
  p99Ms: number;
}

/** Parameters of ln(latency) ~ N(mu, sigma²). */
export interface LogNormal {
  mu: number;
  sigma: number;
}

/** Fits a log-normal whose median is p50 and whose 99th percentile is p99. */
export function fitLogNormal(target: LatencyTarget): LogNormal {
  const p50 = Math.max(target.p50Ms, 1e-3);
  const p99 = Math.max(target.p99Ms, p50);
  return { mu: Math.log(p50), sigma: (Math.log(p99) - Math.log(p50)) / Z99 };
}

/** The latency at standard-normal score z of a fitted log-normal (z = Z99 gives the p99). */
export function logNormalAt(d: LogNormal, z: number): number {
  return Math.exp(d.mu + d.sigma * z);
}

/** Draws one latency in milliseconds. */
export function sampleLatency(d: LogNormal, rng: Rng): number {
  return Math.exp(d.mu + d.sigma * rng.normal());
}
