/**
 * The three ways of judging one generated release, run side by side on the same stream:
 * - `threshold`: Flagger's and Argo Rollouts' documented defaults: one check per 60 s interval,
 *   success rate ≥ 99 % (5xx ≤ 1 %) and p99 ≤ 500 ms, the first failed check rolls back
 *   (Flagger `threshold: 1`, Argo `failureLimit: 0`), no data fails the check;
 * - `per-interval-test`: Siskin's counted path with today's `statistical` option on its default
 *   metrics: error-rate ≤ 1 % (an SLO, never softened) and ≤ stable + 0.5 points confirmed by
 *   Fisher / two-proportion at α 0.05, latency-p99 ≤ 1.2 × stable confirmed by Mann-Whitney at
 *   α 0.05; fewer than 20 canary requests is inconclusive; a second consecutive failure rolls back;
 * - `sequential`: the anytime-valid judge (workflows/canary/sequential-judge.ts) after every scrape;
 *   promotion once the bake has elapsed and the intervals rule out a regression beyond tolerance.
 * Every judge promotes after a 10-minute bake at the earliest and holds at most 30 minutes.
 */
import { histogramQuantile, latencyBoundary } from "../../workflows/canary/histogram.js";
import { decideSequential, regressionCrossed, type SequentialSettings, type SequentialTotals } from "../../workflows/canary/sequential-judge.js";
import { normalCdf, twoProportionTest } from "../../workflows/canary/stats.js";
import { uniformStream } from "../../workflows/canary/count-streams.test-util.js";
import { bucketProbabilities, drawHistogram, drawScrape, istioBuckets, multinomial, versionModel, type Cell, type Scrape } from "./streams.js";

/** The judges compared. */
export const JudgeName = ["threshold", "per-interval-test", "sequential"] as const;
export type JudgeName = (typeof JudgeName)[number];

/** What one judge did with one release: rolled back or promoted at second `at`, or held to the end. */
export interface Outcome {
  kind: "rollback" | "promote" | "held";
  at: number;
}

/** The release's timing. */
export interface Timing {
  intervalS: number;
  bakeS: number;
  horizonS: number;
  /** How often the sequential judge checks for a pass once the bake is over. */
  passCheckS: number;
}

export const defaultTiming: Timing = { intervalS: 60, bakeS: 600, horizonS: 1800, passCheckS: 10 };

/** The sequential judge's settings in the benchmark: Siskin's default tolerances. */
export function sequentialSettings(alpha: number): SequentialSettings {
  return { alpha, errors: { maxDelta: 0.005, max: 0.01 }, latency: { maxDelta: 0.02 } };
}

/**
 * One-sided Mann-Whitney on two histograms (each bucket one tie group): the statistic and the tie
 * and continuity corrections of workflows/canary/stats.ts `mannWhitneyGreater`, computed from the
 * counts instead of one observation per request. Null below 3 observations a side.
 */
export function mannWhitneyHistograms(canary: readonly number[], stable: readonly number[]): number | null {
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < canary.length; i++) {
    n1 += canary[i] as number;
    n2 += stable[i] as number;
  }
  if (n1 < 3 || n2 < 3) return null;
  let u = 0;
  let below = 0;
  let tie = 0;
  for (let i = 0; i < canary.length; i++) {
    const c = canary[i] as number;
    const s = stable[i] as number;
    u += c * (below + s / 2);
    below += s;
    const t = c + s;
    tie += t * t * t - t;
  }
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tie / (n * (n - 1)));
  if (variance <= 0) return 1;
  return 1 - normalCdf((u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance));
}

const bounds = [...istioBuckets];

/** Run the three judges on one seeded release of `cell`. */
export function judgeRelease(cell: Cell, seed: number, alpha: number, timing: Timing = defaultTiming): Record<JudgeName, Outcome> {
  const u = uniformStream(seed);
  // Stable's p99 before the release: 10 minutes of its traffic at the full rate.
  const refCounts = new Array<number>(bounds.length + 1).fill(0);
  multinomial(u, Math.round(cell.rps * 600), bucketProbabilities(1), refCounts);
  const boundary = latencyBoundary(0.99, { bounds, counts: refCounts }) ?? bounds[bounds.length - 1] as number;
  const cm = versionModel(cell, true, boundary);
  const sm = versionModel(cell, false, boundary);
  const settings = sequentialSettings(alpha);
  const totals: SequentialTotals = {
    errors: { canary: { requests: 0, events: 0 }, stable: { requests: 0, events: 0 } },
    latency: { boundaryMs: boundary, canary: { requests: 0, events: 0 }, stable: { requests: 0, events: 0 } },
  };
  const c: Scrape = { requests: 0, errors: 0, slow: 0 };
  const s: Scrape = { requests: 0, errors: 0, slow: 0 };
  const ci = { requests: 0, errors: 0, slow: 0 };
  const si = { requests: 0, errors: 0, slow: 0 };
  const ch = new Array<number>(bounds.length + 1).fill(0);
  const sh = new Array<number>(bounds.length + 1).fill(0);
  const scratch = new Array<number>(bounds.length + 1).fill(0);
  const out: Partial<Record<JudgeName, Outcome>> = {};
  let thresholdPasses = 0;
  let testPasses = 0;
  let testFailures = 0;
  const lat = totals.latency as NonNullable<SequentialTotals["latency"]>;
  for (let t = 1; t <= timing.horizonS; t++) {
    drawScrape(u, cm, c);
    drawScrape(u, sm, s);
    totals.errors.canary.requests += c.requests;
    totals.errors.canary.events += c.errors;
    totals.errors.stable.requests += s.requests;
    totals.errors.stable.events += s.errors;
    lat.canary.requests += c.requests;
    lat.canary.events += c.slow;
    lat.stable.requests += s.requests;
    lat.stable.events += s.slow;
    ci.requests += c.requests;
    ci.errors += c.errors;
    ci.slow += c.slow;
    si.requests += s.requests;
    si.errors += s.errors;
    si.slow += s.slow;
    if (out.sequential === undefined) {
      if (regressionCrossed(totals, settings)) out.sequential = { kind: "rollback", at: t };
      else if (t >= timing.bakeS && t % timing.passCheckS === 0 && decideSequential(totals, settings) === "pass") out.sequential = { kind: "promote", at: t };
    }
    if (t % timing.intervalS === 0) {
      if (out.threshold === undefined || out["per-interval-test"] === undefined) {
        drawHistogram(u, cm, ci.requests, ci.slow, ch, scratch);
        drawHistogram(u, sm, si.requests, si.slow, sh, scratch);
        const p99c = histogramQuantile(0.99, { bounds, counts: ch });
        const p99s = histogramQuantile(0.99, { bounds, counts: sh });
        const errPct = ci.requests > 0 ? (100 * ci.errors) / ci.requests : Number.NaN;
        const stablePct = si.requests > 0 ? (100 * si.errors) / si.requests : Number.NaN;
        if (out.threshold === undefined) {
          const ok = ci.requests > 0 && errPct <= 1 && p99c <= 500;
          if (!ok) out.threshold = { kind: "rollback", at: t };
          else if (++thresholdPasses * timing.intervalS >= timing.bakeS) out.threshold = { kind: "promote", at: t };
        }
        if (out["per-interval-test"] === undefined) {
          let verdict: "pass" | "fail" | "inconclusive";
          if (ci.requests < 20) verdict = "inconclusive";
          else {
            let errFail = errPct > 1;
            if (!errFail && Number.isFinite(stablePct) && errPct > stablePct + 0.5) {
              const test = twoProportionTest(ci.errors, ci.requests, si.errors, si.requests);
              errFail = test === null || test.pValue < 0.05;
            }
            let latVerdict: "pass" | "fail" | "inconclusive" = "pass";
            if (!Number.isFinite(p99s)) latVerdict = "inconclusive";
            else if (p99c > 1.2 * p99s) {
              const p = mannWhitneyHistograms(ch, sh);
              latVerdict = p === null || p < 0.05 ? "fail" : "pass";
            }
            verdict = errFail || latVerdict === "fail" ? "fail" : latVerdict;
          }
          if (verdict === "fail") {
            testFailures++;
            if (testFailures > 1) out["per-interval-test"] = { kind: "rollback", at: t };
          } else {
            testFailures = 0;
            if (verdict === "pass" && ++testPasses * timing.intervalS >= timing.bakeS) out["per-interval-test"] = { kind: "promote", at: t };
          }
        }
      }
      ci.requests = ci.errors = ci.slow = 0;
      si.requests = si.errors = si.slow = 0;
    }
    if (out.threshold !== undefined && out["per-interval-test"] !== undefined && out.sequential !== undefined) break;
  }
  const held = { kind: "held", at: timing.horizonS } as const;
  return { threshold: out.threshold ?? held, "per-interval-test": out["per-interval-test"] ?? held, sequential: out.sequential ?? held };
}
