/**
 * The generated world of the decisions benchmark: one release's canary and stable traffic, second
 * by second, as Prometheus would scrape it every second (requests, 5xx, slow requests), and the
 * latency histogram of each analysis interval, as Istio's buckets hold it.
 *
 * Traffic: Poisson requests at `rps` split by the canary weight. 5xx: each request fails with its
 * version's probability. Latency: log-normal fitted to the simulated mesh's "normal" profile
 * (median 25 ms, p99 100 ms); a latency regression multiplies the canary's latencies.
 */
import { normalCdf } from "../../workflows/canary/stats.js";
import { binomial, poisson, type Uniform } from "../../workflows/canary/count-streams.test-util.js";

/** Envoy's default duration buckets (ms), which Istio uses (sim/mesh/telemetry.ts). */
export const istioBuckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000] as const;

const Z99 = 2.3263478740408408;
const MEDIAN_MS = 25;
const P99_MS = 100;
const SIGMA = Math.log(P99_MS / MEDIAN_MS) / Z99;

/** A regression of the canary: none, extra 5xx (points of percent), or latency × factor. */
export type Regression = { kind: "none" } | { kind: "errors"; points: number } | { kind: "latency"; factor: number };

/** How a regression is named in the table and the JSON. */
export function regressionName(r: Regression): string {
  switch (r.kind) {
    case "none":
      return "none";
    case "errors":
      return `+${r.points} pt 5xx`;
    case "latency":
      return `latency x${r.factor}`;
    default: {
      const never: never = r;
      throw new Error(`unknown regression ${JSON.stringify(never)}`);
    }
  }
}

/** One cell of the grid. */
export interface Cell {
  rps: number;
  /** Canary weight, percent. */
  weight: number;
  /** Background 5xx of both versions, percent. */
  baselineErrorPct: number;
  regression: Regression;
}

/** Per-bucket probabilities of a latency distribution scaled by `factor`. */
export function bucketProbabilities(factor: number): number[] {
  const mu = Math.log(MEDIAN_MS * factor);
  const cdf = istioBuckets.map((b) => normalCdf((Math.log(b) - mu) / SIGMA));
  return [...cdf.map((c, i) => c - (i === 0 ? 0 : (cdf[i - 1] as number))), 1 - (cdf[cdf.length - 1] as number)];
}

/** Multinomial counts of `n` over `probs` (sequential binomials, exact). */
export function multinomial(u: Uniform, n: number, probs: readonly number[], out: number[]): void {
  let left = n;
  let mass = 1;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i] as number;
    if (left <= 0 || mass <= 0) {
      out[i] = 0;
      continue;
    }
    const k = i === probs.length - 1 ? left : binomial(u, left, Math.min(1, p / mass));
    out[i] = k;
    left -= k;
    mass -= p;
  }
}

/** One second of one version. */
export interface Scrape {
  requests: number;
  errors: number;
  /** Requests slower than the boundary. */
  slow: number;
}

/** The stream of one version: its error rate and latency factor, and a histogram per interval. */
export interface VersionModel {
  rps: number;
  errorRate: number;
  /** Bucket probabilities of its latency; `slowShare` is their mass above the boundary. */
  probs: number[];
  slowShare: number;
  /** Index of the first bucket above the boundary. */
  slowFrom: number;
}

/** A version of the cell: canary or stable, with the slow boundary `boundaryMs`. */
export function versionModel(cell: Cell, canary: boolean, boundaryMs: number): VersionModel {
  const share = canary ? cell.weight / 100 : 1 - cell.weight / 100;
  const r = cell.regression;
  const extraErr = canary && r.kind === "errors" ? r.points / 100 : 0;
  const factor = canary && r.kind === "latency" ? r.factor : 1;
  const probs = bucketProbabilities(factor);
  const slowFrom = istioBuckets.findIndex((b) => b > boundaryMs);
  const from = slowFrom < 0 ? istioBuckets.length : slowFrom;
  const slowShare = probs.slice(from).reduce((s, p) => s + p, 0);
  return { rps: cell.rps * share, errorRate: cell.baselineErrorPct / 100 + extraErr, probs, slowShare, slowFrom: from };
}

/** Draw one second. */
export function drawScrape(u: Uniform, m: VersionModel, out: Scrape): void {
  const n = poisson(u, m.rps);
  out.requests = n;
  out.errors = binomial(u, n, m.errorRate);
  out.slow = binomial(u, n, m.slowShare);
}

/**
 * The interval's histogram given its requests and slow requests: the fast ones spread over the
 * buckets up to the boundary, the slow ones over those above, each in proportion (a multinomial
 * conditional on the split, so the histogram agrees with the per-second slow counts).
 */
export function drawHistogram(u: Uniform, m: VersionModel, requests: number, slow: number, out: number[], scratch: number[]): void {
  const fast = m.probs.slice(0, m.slowFrom);
  const slowP = m.probs.slice(m.slowFrom);
  const fastMass = fast.reduce((s, p) => s + p, 0);
  const slowMass = slowP.reduce((s, p) => s + p, 0);
  out.fill(0);
  if (fastMass > 0) {
    multinomial(u, requests - slow, fast.map((p) => p / fastMass), scratch);
    for (let i = 0; i < fast.length; i++) out[i] = scratch[i] as number;
  }
  if (slowMass > 0 && slow > 0) {
    multinomial(u, slow, slowP.map((p) => p / slowMass), scratch);
    for (let i = 0; i < slowP.length; i++) out[m.slowFrom + i] = scratch[i] as number;
  }
}
