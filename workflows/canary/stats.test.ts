import { describe, expect, it } from "vitest";
import { fisherGreater, mannWhitneyGreater, normalCdf, twoProportionTest } from "./stats.js";

// Expected p-values from scipy.stats 1.17 (fisher_exact / mannwhitneyu asymptotic with continuity, alternative="greater").
describe("stats", () => {
  it.each([
    [0, 0.5],
    [1.959964, 0.975],
    [-1.644854, 0.05],
  ])("normalCdf(%d) = %d", (z, p) => {
    expect(normalCdf(z)).toBeCloseTo(p, 5);
  });

  it.each([
    { e1: 3, n1: 10, e2: 0, n2: 10, p: 0.10526315789473684 },
    { e1: 2, n1: 100, e2: 1, n2: 200, p: 0.2585127157639559 },
    { e1: 4, n1: 4, e2: 0, n2: 4, p: 1 / 70 },
    { e1: 0, n1: 10, e2: 5, n2: 10, p: 1 },
  ])("Fisher one-sided $e1/$n1 vs $e2/$n2 → p=$p", ({ e1, n1, e2, n2, p }) => {
    expect(fisherGreater(e1, n1, e2, n2)).toBeCloseTo(p, 8);
  });

  it("uses Fisher for sparse counts and the z-test for large ones", () => {
    expect(twoProportionTest(3, 10, 0, 10)).toEqual({ pValue: expect.closeTo(0.105263, 5), method: "fisher" });
    const z = twoProportionTest(50, 1000, 20, 1000);
    expect(z?.method).toBe("z");
    expect(z?.pValue).toBeCloseTo(0.0001310527554996277, 5);
    expect(twoProportionTest(1, 0, 0, 10)).toBeNull();
  });

  it.each([
    { x: [310, 320, 330, 340, 350, 360, 370, 380], y: [280, 285, 290, 295, 300, 305, 310, 315], p: 0.0008081491399353063 },
    { x: [1, 2, 2, 3, 3, 3, 4], y: [1, 1, 2, 2, 3], p: 0.10158695879254287 },
  ])("Mann-Whitney with ties matches scipy (p=$p)", ({ x, y, p }) => {
    const r = mannWhitneyGreater(x, y);
    expect(r?.method).toBe("mann-whitney");
    expect(r?.pValue).toBeCloseTo(p, 5);
  });

  it("Mann-Whitney needs 3 observations a side; all ties means no evidence", () => {
    expect(mannWhitneyGreater([1, 2], [1, 2, 3])).toBeNull();
    expect(mannWhitneyGreater([5, 5, 5], [5, 5, 5])?.pValue).toBe(1);
  });
});
