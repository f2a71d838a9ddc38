import { describe, expect, it } from "vitest";
import { istioLabels } from "./builtin-queries.js";
import { analysisMessageId, evaluateRelease, pickSeries, type QueryOutcome } from "./evaluate.js";
import { echoJudge, stored } from "./fakes.test-util.js";
import { dueWindows, planQueries, type QueryPlan } from "./plan.js";
import type { Judge, Series } from "./ports.js";

const NOW = 1_000_000;

function series(ns: string, svc: string, version: string, value: number): Series {
  return { labels: { destination_workload_namespace: ns, destination_canonical_service: svc, destination_version: version }, value };
}

/** Plan for the given registrations and answer each query kind with a fixed outcome. */
function run(plan: QueryPlan, byKind: Record<string, QueryOutcome>, judge: Judge = echoJudge) {
  const none: QueryOutcome = { ok: true, series: [] };
  const outcomes = new Map(plan.queries.map((q) => [q.key, byKind[q.kind] ?? none] as const));
  return plan.releases.map((r) => evaluateRelease(r, outcomes, judge, istioLabels));
}

const ok = (...s: Series[]): QueryOutcome => ({ ok: true, series: s });

describe("pickSeries", () => {
  const reg = { namespace: "shop", service: "ratings", versionLabel: "version" };
  it.each([
    ["the matching series", [series("shop", "ratings", "v2", 1.5)], { kind: "value", value: 1.5 }],
    ["no series → null", [], { kind: "value", value: null }],
    ["NaN → null", [series("shop", "ratings", "v2", NaN)], { kind: "value", value: null }],
    ["+Inf → null", [series("shop", "ratings", "v2", Infinity)], { kind: "value", value: null }],
    ["another namespace's series", [series("other", "ratings", "v2", 1)], { kind: "value", value: null }],
    ["another service's series", [series("shop", "reviews", "v2", 1)], { kind: "value", value: null }],
    ["two matching series", [series("shop", "ratings", "v2", 1), series("shop", "ratings", "v2", 2)], { kind: "ambiguous", count: 2 }],
  ])("%s", (_n, s, want) => {
    expect(pickSeries(s, reg, "v2", istioLabels)).toEqual(want);
  });

  it("a query rendered for the release accepts series without the namespace/service labels", () => {
    const s = [{ labels: { destination_version: "v2" }, value: 3 }];
    expect(pickSeries(s, reg, "v2", istioLabels)).toEqual({ kind: "value", value: null });
    expect(pickSeries(s, reg, "v2", istioLabels, { namespace: true, service: true })).toEqual({ kind: "value", value: 3 });
  });

  it("falls back to namespace/app/the rollout's version label for custom metrics", () => {
    const s = [{ labels: { namespace: "shop", app: "ratings", version: "v2" }, value: 4 }];
    expect(pickSeries(s, reg, "v2", istioLabels)).toEqual({ kind: "value", value: 4 });
  });
});

describe("evaluateRelease", () => {
  const plan = planQueries(dueWindows([stored("shop", "ratings"), stored("shop", "reviews")], NOW), istioLabels);

  it("fans one result out to every release, canary and stable by version", () => {
    const [ratings, reviews] = run(plan, {
      requests: ok(series("shop", "ratings", "v2", 100), series("shop", "ratings", "v1", 900), series("shop", "reviews", "v2", 50)),
      "error-rate": ok(series("shop", "ratings", "v2", 0.5), series("shop", "ratings", "v1", 0.1), series("shop", "reviews", "v2", 7), series("shop", "reviews", "v1", 0)),
      "latency-p99": ok(series("shop", "ratings", "v2", 120), series("shop", "ratings", "v1", 100)),
    });
    expect(ratings).toEqual({
      windowStart: 990_000,
      windowEnd: 1_000_000,
      canaryVersion: "v2",
      verdicts: [
        { metric: "error-rate", verdict: "pass", critical: false, canary: 0.5, stable: 0.1, canaryRequests: 100, reason: "ok" },
        { metric: "latency-p99", verdict: "pass", critical: false, canary: 120, stable: 100, canaryRequests: 100, reason: "ok" },
      ],
    });
    expect(reviews?.verdicts[0]).toMatchObject({ metric: "error-rate", verdict: "fail", canary: 7, stable: 0, canaryRequests: 50 });
    // No latency series for reviews: no data, never a pass.
    expect(reviews?.verdicts[1]).toMatchObject({ metric: "latency-p99", verdict: "inconclusive", canary: null, stable: null });
  });

  it("gives the judge request counts (0 when a version saw no traffic) and NaN as null", () => {
    const seen: unknown[] = [];
    const spy: Judge = (spec, canary, stable, ctx) => {
      seen.push({ canary, stable, ctx });
      return echoJudge(spec, canary, stable, ctx);
    };
    run(planQueries(dueWindows([stored("shop", "ratings")], NOW), istioLabels), {
      requests: ok(series("shop", "ratings", "v1", 40)),
      "error-rate": ok(series("shop", "ratings", "v2", NaN), series("shop", "ratings", "v1", 0)),
    }, spy);
    expect(seen[0]).toEqual({
      canary: { value: null, requests: 0 },
      stable: { value: 0, requests: 40 },
      ctx: { minRequests: 20, intervalSeconds: 10 },
    });
  });

  it("turns a failed query into an error verdict for every release that needed it", () => {
    const out = run(plan, {
      requests: ok(series("shop", "ratings", "v2", 100)),
      "latency-p99": { ok: false, error: "bad_data: parse error" },
      "error-rate": ok(series("shop", "ratings", "v2", 0), series("shop", "ratings", "v1", 0)),
    });
    for (const r of out) {
      expect(r.verdicts[1]).toEqual({
        metric: "latency-p99",
        verdict: "error",
        critical: false,
        canary: null,
        stable: null,
        reason: 'query for "latency-p99" failed: bad_data: parse error',
      });
    }
    expect(out[0]?.verdicts[0]?.verdict).toBe("pass");
  });

  it("a failed request count is an error when the minRequests guard applies, and ignored when it is 0", () => {
    const failing = { requests: { ok: false, error: "timeout" } as QueryOutcome, "error-rate": ok(series("a", "x", "v2", 0), series("a", "x", "v1", 0)) };
    const guarded = run(planQueries(dueWindows([stored("a", "x")], NOW), istioLabels), failing);
    expect(guarded[0]?.verdicts[0]).toMatchObject({ verdict: "error", reason: expect.stringMatching(/minRequests guard cannot apply: timeout/) });
    const unguarded = run(planQueries(dueWindows([stored("a", "x", { minRequests: 0 })], NOW), istioLabels), failing);
    expect(unguarded[0]?.verdicts[0]).toMatchObject({ verdict: "pass", canary: 0 });
  });

  it("passes 5xx counts to a statistical error-rate, and errors when they cannot be had", () => {
    const reg = stored("a", "x", { metrics: [{ name: "error-rate", builtin: "error-rate", statistical: { alpha: 0.05 } }] });
    const p = planQueries(dueWindows([reg], NOW), istioLabels);
    const seen: unknown[] = [];
    const spy: Judge = (spec, canary, stable, ctx) => {
      seen.push([canary, stable]);
      return echoJudge(spec, canary, stable, ctx);
    };
    run(p, {
      requests: ok(series("a", "x", "v2", 100), series("a", "x", "v1", 1000)),
      errors: ok(series("a", "x", "v2", 3)),
      "error-rate": ok(series("a", "x", "v2", 3), series("a", "x", "v1", 0)),
    }, spy);
    expect(seen[0]).toEqual([{ value: 3, requests: 100, errors: 3 }, { value: 0, requests: 1000, errors: 0 }]);
    const failed = run(p, { errors: { ok: false, error: "boom" } });
    expect(failed[0]?.verdicts[0]).toMatchObject({ verdict: "error", reason: expect.stringMatching(/5xx count query failed/) });
  });

  it("reports an invalid metric and an ambiguous result as errors, and a throwing judge too", () => {
    const reg = stored("a", "x", {
      metrics: [
        { name: "bad", query: "x{a={{service}}}" },
        { name: "flat", query: 'sum by (destination_version) (x{ns="{{namespace}}"})' },
        { name: "boom", builtin: "request-rate" },
      ],
    });
    const p = planQueries(dueWindows([reg], NOW), istioLabels);
    const throwing: Judge = (spec, c, s, ctx) => {
      if (spec.name === "boom") throw new Error("judge bug");
      return echoJudge(spec, c, s, ctx);
    };
    const [r] = run(p, {
      custom: ok({ labels: { destination_version: "v2", destination_canonical_service: "x" }, value: 1 }, { labels: { destination_version: "v2", destination_canonical_service: "x" }, value: 2 }),
      "request-rate": ok(series("a", "x", "v2", 1), series("a", "x", "v1", 1)),
    }, throwing);
    expect(r?.verdicts.map((v) => [v.metric, v.verdict, v.reason])).toEqual([
      ["bad", "error", expect.stringMatching(/must be inside a quoted label value/)],
      ["flat", "error", expect.stringMatching(/returned 2 series for a\/x version v2; group it by namespace, service and version/)],
      ["boom", "error", 'judge failed on "boom": judge bug'],
    ]);
  });

  it("names the message by release and window end", () => {
    expect(analysisMessageId("shop/ratings/v2", 1_000_000)).toBe("shop/ratings/v2:analysis:1000000");
  });
});
