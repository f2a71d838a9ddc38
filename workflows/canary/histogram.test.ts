import { describe, expect, it } from "vitest";
import { countAbove, histogramQuantile, latencyBoundary } from "./histogram.js";

const bounds = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000];
// Per-bucket counts of 1,000 requests: 880 at ≤ 50 ms, 110 in (50, 100], 8 in (100, 250], 2 in (250, 500].
const counts = [0, 0, 0, 40, 400, 440, 110, 8, 2, 0, 0];

describe("histograms", () => {
  it("quantiles as histogram_quantile: linear within the bucket", () => {
    // rank 990 of 1000: 880 below, 110 in (50, 100] → 50 + 50 × 110/110 = 100.
    expect(histogramQuantile(0.99, { bounds, counts })).toBe(100);
    // rank 500: 440 below (≤ 25 ms), 440 in (25, 50] → 25 + 25 × 60/440.
    expect(histogramQuantile(0.5, { bounds, counts })).toBeCloseTo(25 + (25 * 60) / 440, 12);
    expect(histogramQuantile(0.99, { bounds, counts: bounds.map(() => 0).concat(0) })).toBeNaN();
    expect(histogramQuantile(0.99, { bounds: [10], counts: [0, 5] })).toBe(10);
  });

  it("takes the boundary nearest stable's p99 on a log scale, and counts above it", () => {
    expect(latencyBoundary(0.99, { bounds, counts })).toBe(100);
    expect(latencyBoundary(0.99, { bounds, counts: [0, 0, 0, 0, 0, 0, 980, 20, 0, 0, 0] })).toBe(250);
    expect(latencyBoundary(0.99, { bounds, counts: bounds.map(() => 0).concat(0) })).toBeNull();
    expect(countAbove(100, { bounds, counts })).toBe(10);
  });
});
