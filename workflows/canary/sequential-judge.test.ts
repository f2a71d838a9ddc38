import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binomial, poisson, uniformStream } from "./count-streams.test-util.js";
import { rateInterval } from "./sequential-bounds.js";
import { judgeSequential, regressionCrossed, type SequentialSettings, type SequentialTotals } from "./sequential-judge.js";

const settings: SequentialSettings = { alpha: 0.05, errors: { maxDelta: 0.005, max: 0.01 }, latency: { maxDelta: 0.02 } };
const totals = (ce: number, cn: number, se: number, sn: number, slow?: [number, number]): SequentialTotals => ({
  errors: { canary: { requests: cn, events: ce }, stable: { requests: sn, events: se } },
  ...(slow === undefined ? {} : { latency: { boundaryMs: 100, canary: { requests: cn, events: slow[0] }, stable: { requests: sn, events: slow[1] } } }),
});

describe("sequential judge", () => {
  it.each([
    { name: "a +10-point canary after 40 requests", t: totals(5, 40, 2, 360), decision: "rollback" },
    { name: "no requests yet", t: totals(0, 0, 0, 0), decision: "undecided" },
    { name: "healthy, little data", t: totals(1, 300, 14, 2700), decision: "undecided" },
    { name: "healthy, plenty of data", t: totals(60, 12000, 540, 108000, [120, 1080]), decision: "pass" },
    { name: "5xx within delta but above the SLO max", t: totals(300, 10000, 2500, 90000), decision: "rollback" },
    { name: "latency ×3: a third of the canary slower than stable's p99", t: totals(3, 600, 27, 5400, [190, 54]), decision: "rollback" },
  ])("$name → $decision", ({ t, decision }) => {
    expect(judgeSequential(t, settings).decision).toBe(decision);
  });

  it("says what the interval excludes, in words", () => {
    const v = judgeSequential(totals(60, 12000, 540, 108000, [120, 1080]), settings);
    expect(v.evidence[0]?.text).toBe(
      "5xx: canary 0.5 % (0.28–0.8 %, 12000 requests), stable 0.5 % (0.41–0.6 %, 108000 requests); canary − stable is −0.31 to +0.39 points (97.5 %, anytime-valid): a regression beyond +0.5 points is ruled out",
    );
    const bad = judgeSequential(totals(5, 40, 2, 360), settings);
    expect(bad.reason).toBe(
      "5xx: canary 12.5 % (2.08–34.45 %, 40 requests), stable 0.56 % (0.01–3.01 %, 360 requests); the canary is above 1 % (at least 2.08 %, 95 %, anytime-valid): regression",
    );
  });

  it("rollback test alone agrees with the full judge", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 50000 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.boolean(),
        (cn, sn, pc, ps, latency) => {
          const t = totals(Math.round(cn * pc), cn, Math.round(sn * ps), sn, latency ? [Math.round(cn * pc * 2), Math.round(sn * ps)] : undefined);
          expect(regressionCrossed(t, settings)).toBe(judgeSequential(t, settings).decision === "rollback");
        },
      ),
      { numRuns: 1000 },
    );
  });

  // Type-I error by simulation, small enough for `npm test` (the 10,000-stream, 30-minute run is in
  // `npm run bench -- decisions`). α is large here (0.2) so that a wrong bound shows in 300 streams:
  // the binomial 99.9 % upper limit of a true rate of 0.2 over 300 streams is 0.27. The same streams
  // judged by a fixed-horizon z-test at every look ("peeking") exceed it, so the check can fail.
  const streams = 300;
  const seconds = 600;
  it(`false rollbacks at the boundary of the null over ${streams} streams looked at every second for ${seconds} s stay ≤ α`, () => {
    const alpha = 0.2;
    const s: SequentialSettings = { alpha, errors: { maxDelta: 0.01 } };
    // The hardest healthy canary: exactly stable + the tolerated delta (2 % against 1 %).
    const pStable = 0.01;
    const pCanary = pStable + 0.01;
    let sequential = 0;
    let peeking = 0;
    for (let k = 0; k < streams; k++) {
      const u = uniformStream(1000 + k);
      const c = { requests: 0, events: 0 };
      const st = { requests: 0, events: 0 };
      let rolledBack = false;
      let peeked = false;
      for (let t = 0; t < seconds && !(rolledBack && peeked); t++) {
        const cn = poisson(u, 20);
        const sn = poisson(u, 180);
        c.requests += cn;
        c.events += binomial(u, cn, pCanary);
        st.requests += sn;
        st.events += binomial(u, sn, pStable);
        if (!rolledBack && regressionCrossed({ errors: { canary: c, stable: st } }, s)) rolledBack = true;
        if (!peeked && c.requests > 0 && st.requests > 0) {
          const d = c.events / c.requests - st.events / st.requests - 0.01;
          const se = Math.sqrt((pCanary * (1 - pCanary)) / c.requests + (pStable * (1 - pStable)) / st.requests);
          if (d / se > 0.8416) peeked = true; // one-sided z at α = 0.2, repeated every second
        }
      }
      if (rolledBack) sequential++;
      if (peeked) peeking++;
    }
    expect(sequential / streams).toBeLessThanOrEqual(0.27);
    expect(peeking / streams).toBeGreaterThan(0.27);
  });

  it(`each version's interval misses its true rate at some look in ≤ α/2 of ${streams} streams`, () => {
    const alpha = 0.2;
    let missed = 0;
    for (let k = 0; k < streams; k++) {
      const u = uniformStream(5000 + k);
      let n = 0;
      let e = 0;
      for (let t = 0; t < seconds; t++) {
        const m = poisson(u, 20);
        n += m;
        e += binomial(u, m, 0.01);
        const r = rateInterval(e, n, alpha / 2);
        if (r.lower > 0.01 || r.upper < 0.01) {
          missed++;
          break;
        }
      }
    }
    // Binomial 99.9 % upper limit of a rate of 0.1 over 300 streams: 0.155.
    expect(missed / streams).toBeLessThanOrEqual(0.155);
  });
});
