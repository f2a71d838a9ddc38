import { describe, expect, it } from "vitest";
import type { MetricVerdict } from "../../schemas/analysis.js";
import { verdictsAtFullWeight } from "./full-weight.js";
import { drive, toFirstBake } from "./driver.test-util.js";
import { T0, ev, makeInput, makeSpec } from "./fixtures.test-util.js";

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

describe("one truth on every screen: what is kept is what was decided", () => {
  it("at 100 % the release keeps the verdicts it judged on (absolute bounds), with readable numbers, not the raw 'no data for stable'", () => {
    const r = drive(makeInput(makeSpec({ steps: [{ weight: 100 }], rollbackWindowSeconds: 60 })));
    const t = toFirstBake(r, T0, 100);
    r.send(ev.analysis(t + 60_000, [v({ canary: 129.70000000000027 })]));
    expect(r.state).toBe("finalizing");
    expect(r.ctx.lastVerdicts).toEqual([
      expect.objectContaining({ metric: "latency-p99", verdict: "pass", reason: "latency-p99: stable gets no traffic at 100 %, so only absolute bounds apply and none was crossed (canary 129.7)" }),
    ]);
    expect(JSON.stringify(r.ctx.lastVerdicts)).not.toMatch(/no data for stable/);
  });
});
