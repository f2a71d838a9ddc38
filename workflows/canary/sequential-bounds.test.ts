import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logGamma, logMixture, rateInterval } from "./sequential-bounds.js";

// Reference values computed independently with mpmath 1.3 (40 digits): the mixture as a numerical
// integral of the Beta(0.5, 5) density times the likelihood ratio (mpmath.quad, no beta function),
// and its roots by 200 bisection steps. Script: docs/decisions/sequential-analysis.md, appendix.
const reference = [
  { s: 0, n: 100, alpha: 0.05, lower: 0, upper: 0.0444016769487, logM01: -0.540995980766 },
  { s: 3, n: 30, alpha: 0.025, lower: 0.00847036992171, upper: 0.342728453432, logM01: 3.2325317102 },
  { s: 5, n: 1000, alpha: 0.025, lower: 0.000622462519644, upper: 0.0171328247753, logM01: -0.813864194159 },
  { s: 50, n: 1000, alpha: 0.005, lower: 0.0272584486193, upper: 0.0821005857905, logM01: 38.7300476579 },
];

describe("anytime-valid rate intervals (Beta-mixture confidence sequence)", () => {
  it.each(reference)("$s of $n at α $alpha matches the numerical integral", ({ s, n, alpha, lower, upper, logM01 }) => {
    const r = rateInterval(s, n, alpha);
    expect(r.lower).toBeCloseTo(lower, 10);
    expect(r.upper).toBeCloseTo(upper, 10);
    expect(logMixture(s, n, 0.01)).toBeCloseTo(logM01, 8);
  });

  it("matches the closed form of the uniform prior with no events: upper = 1 − (α / (n + 1))^(1/n)", () => {
    for (const [n, alpha] of [[10, 0.05], [100, 0.01], [5000, 0.025]] as const) {
      const r = rateInterval(0, n, alpha, { a: 1, b: 1 });
      expect(r.lower).toBe(0);
      expect(r.upper).toBeCloseTo(1 - (alpha / (n + 1)) ** (1 / n), 12);
    }
  });

  it("log Γ agrees with factorials and Γ(1/2) = √π", () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    for (const k of [1, 2, 5, 10, 20]) {
      let f = 1;
      for (let i = 2; i < k; i++) f *= i;
      expect(logGamma(k)).toBeCloseTo(Math.log(f), 11);
    }
  });

  it("with no requests knows nothing; with all events the upper end is 1", () => {
    expect(rateInterval(0, 0, 0.05)).toEqual({ lower: 0, upper: 1 });
    expect(rateInterval(7, 7, 0.05).upper).toBe(1);
  });

  it("holds the estimate, ends where the mixture reaches 1/α, and widens as α shrinks", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0.001, 0.01, 0.05, 0.2), (n, share, alpha) => {
        const s = Math.round(share * n);
        const r = rateInterval(s, n, alpha);
        const phat = s / n;
        expect(r.lower).toBeGreaterThanOrEqual(0);
        expect(r.upper).toBeLessThanOrEqual(1);
        expect(r.lower).toBeLessThanOrEqual(phat + 1e-12);
        expect(r.upper).toBeGreaterThanOrEqual(phat - 1e-12);
        const target = Math.log(1 / alpha);
        if (r.lower > 1e-300) expect(logMixture(s, n, r.lower)).toBeCloseTo(target, 5);
        if (r.upper < 1 - 1e-12) expect(logMixture(s, n, r.upper)).toBeCloseTo(target, 5);
        const wider = rateInterval(s, n, alpha / 10);
        expect(wider.lower).toBeLessThanOrEqual(r.lower + 1e-12);
        expect(wider.upper).toBeGreaterThanOrEqual(r.upper - 1e-12);
      }),
      { numRuns: 500 },
    );
  });
});
