import { describe, expect, it } from "vitest";
import type { MetricVerdict } from "../../schemas/analysis.js";
import { verdictsAtFullWeight } from "./full-weight.js";

const v = (over: Partial<MetricVerdict>): MetricVerdict => ({ metric: "latency-p99", verdict: "inconclusive", critical: false, canary: 95, stable: null, canaryRequests: 500, reason: "latency-p99: no data for stable", ...over });

describe("verdictsAtFullWeight", () => {
  it("passes a metric inconclusive only because stable has no traffic", () => {
    const [out] = verdictsAtFullWeight([v({})], 20);
    expect(out).toMatchObject({ verdict: "pass", canary: 95, stable: null });
    expect(out?.reason).toMatch(/stable gets no traffic at 100 %/);
  });

  it.each<[string, Partial<MetricVerdict>]>([
    ["too few canary requests", { canaryRequests: 3 }],
    ["no canary data", { canary: null }],
    ["stable data present", { stable: 90 }],
    ["a failed verdict", { verdict: "fail" }],
    ["a query error", { verdict: "error" }],
  ])("leaves %s as it is", (_t, over) => {
    const input = v(over);
    expect(verdictsAtFullWeight([input], 20)).toEqual([input]);
  });
});
