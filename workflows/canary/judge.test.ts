import { describe, expect, it } from "vitest";
import type { MetricSpec } from "../../schemas/rollout.js";
import { defaultMetrics } from "../../schemas/rollout-defaults.js";
import { judgeInterval, judgeMetric, summarize, type MetricObservation } from "./judge.js";

const p99: MetricSpec = { name: "latency-p99", builtin: "latency-p99", unit: "ms", relative: { maxRatio: 1.2 } };
const err: MetricSpec = { name: "error-rate", builtin: "error-rate", unit: "percent", max: 1, relative: { maxDelta: 0.5 }, criticalMax: 20 };
const rps: MetricSpec = { name: "request-rate", unit: "rps", min: 5 };
const opts = { minRequests: 20 };
const s = (value: number | null, requests = 500, extra: object = {}) => ({ value, requests, ...extra });

describe("judgeMetric", () => {
  it.each<{ name: string; spec: MetricSpec; obs: MetricObservation; verdict: string; critical?: boolean; reason: string }>([
    { name: "relative ratio fail", spec: p99, obs: { canary: s(412), stable: s(280) }, verdict: "fail", reason: "latency-p99 412 ms > 1.2 × stable 280 ms = 336 ms" },
    { name: "relative ratio pass", spec: p99, obs: { canary: s(300), stable: s(280) }, verdict: "pass", reason: "latency-p99 300 ms ≤ 1.2 × stable 280 ms = 336 ms" },
    { name: "absolute max fail", spec: err, obs: { canary: s(2.5), stable: s(2.4) }, verdict: "fail", reason: "error-rate 2.5 % > max 1 %" },
    { name: "delta fail", spec: err, obs: { canary: s(0.9), stable: s(0.1) }, verdict: "fail", reason: "error-rate 0.9 % > stable 0.1 % + 0.5 = 0.6 %" },
    { name: "both pass", spec: err, obs: { canary: s(0.2), stable: s(0.1) }, verdict: "pass", reason: "error-rate 0.2 % ≤ max 1 %; error-rate 0.2 % ≤ stable 0.1 % + 0.5 = 0.6 %" },
    { name: "critical", spec: err, obs: { canary: s(35), stable: s(0.1) }, verdict: "fail", critical: true, reason: "error-rate 35 % > critical bound 20 %: roll back now" },
    { name: "min fail", spec: rps, obs: { canary: s(2) }, verdict: "fail", reason: "request-rate 2 rps < min 5 rps" },
    { name: "null is no data", spec: p99, obs: { canary: s(null), stable: s(280) }, verdict: "inconclusive", reason: "latency-p99: no data for the canary (empty or NaN); no data is never a pass" },
    { name: "NaN is no data", spec: p99, obs: { canary: s(Number.NaN), stable: s(280) }, verdict: "inconclusive", reason: "latency-p99: no data for the canary (empty or NaN); no data is never a pass" },
    { name: "missing is no data", spec: p99, obs: {}, verdict: "inconclusive", reason: "latency-p99: no data for the canary (empty or NaN); no data is never a pass" },
    { name: "too few requests", spec: err, obs: { canary: s(0, 7), stable: s(0.1) }, verdict: "inconclusive", reason: "error-rate: only 7 canary requests in the interval, need 20" },
    { name: "too few requests beats critical", spec: err, obs: { canary: s(100, 3), stable: s(0.1) }, verdict: "inconclusive", reason: "error-rate: only 3 canary requests in the interval, need 20" },
    { name: "query error", spec: p99, obs: { error: "bad_data: parse error", canary: s(1) }, verdict: "error", reason: "latency-p99: query failed: bad_data: parse error" },
    { name: "no stable to compare", spec: p99, obs: { canary: s(300), stable: s(null) }, verdict: "inconclusive", reason: "latency-p99: no data for stable; cannot compare 300 ms with it" },
    { name: "absolute fail without stable", spec: err, obs: { canary: s(3), stable: s(null) }, verdict: "fail", reason: "error-rate 3 % > max 1 %" },
  ])("$name", ({ spec, obs, verdict, critical, reason }) => {
    const v = judgeMetric(spec, obs, opts);
    expect(v.verdict).toBe(verdict);
    expect(v.critical).toBe(critical ?? false);
    expect(v.reason).toBe(reason);
    expect(v.metric).toBe(spec.name);
  });

  it("carries the numbers and the threshold", () => {
    const v = judgeMetric(p99, { canary: s(412, 900), stable: s(280) }, opts);
    expect(v).toMatchObject({ canary: 412, stable: 280, canaryRequests: 900, threshold: "≤ 1.2 × stable (336 ms)" });
  });

  describe("statistical confirmation", () => {
    const errStat: MetricSpec = { name: "error-rate", unit: "percent", relative: { maxDelta: 0.5 }, statistical: { alpha: 0.05 } };
    const p99Stat: MetricSpec = { ...p99, statistical: { alpha: 0.05 } };
    it.each<{ name: string; spec: MetricSpec; obs: MetricObservation; verdict: string; has: string }>([
      {
        name: "sparse errors crossing the delta are not significant → pass",
        spec: errStat,
        obs: { canary: s(2, 50, { errors: 1 }), stable: s(0.5, 1000, { errors: 5 }) },
        verdict: "pass",
        has: "but not significantly worse (fisher p=",
      },
      {
        name: "many errors crossing the delta are significant → fail",
        spec: errStat,
        obs: { canary: s(5, 1000, { errors: 50 }), stable: s(2, 1000, { errors: 20 }) },
        verdict: "fail",
        has: "significantly worse (z p=0.0001311 < α 0.05)",
      },
      {
        name: "latency crossing the ratio, significant by Mann-Whitney → fail",
        spec: p99Stat,
        obs: { canary: s(380, 500, { observations: [310, 320, 330, 340, 350, 360, 370, 380] }), stable: s(280, 500, { observations: [280, 285, 290, 295, 300, 305, 310, 315] }) },
        verdict: "fail",
        has: "mann-whitney p=0.000808",
      },
      {
        name: "crossing without raw samples fails on the bound alone",
        spec: p99Stat,
        obs: { canary: s(412), stable: s(280) },
        verdict: "fail",
        has: "(no raw samples for a statistical test)",
      },
      {
        name: "statistical only: significantly worse fails",
        spec: { name: "error-rate", unit: "percent", statistical: { alpha: 0.05 } },
        obs: { canary: s(5, 1000, { errors: 50 }), stable: s(2, 1000, { errors: 20 }) },
        verdict: "fail",
        has: "error-rate significantly worse than stable: 5 % vs stable 2 %",
      },
    ])("$name", ({ spec, obs, verdict, has }) => {
      const v = judgeMetric(spec, obs, opts);
      expect(v.verdict).toBe(verdict);
      expect(v.reason).toContain(has);
      expect(v.pValue === undefined).toBe(has.includes("no raw samples"));
    });
  });
});

describe("judgeInterval and summarize", () => {
  it("judges the default metrics; a metric without samples is inconclusive", () => {
    const vs = judgeInterval(defaultMetrics, { "error-rate": { canary: s(0.1), stable: s(0.1) } }, opts);
    expect(vs.map((v) => [v.metric, v.verdict])).toEqual([
      ["error-rate", "pass"],
      ["latency-p99", "inconclusive"],
    ]);
  });

  it.each([
    [["pass", "pass"], "pass"],
    [["pass", "inconclusive"], "inconclusive"],
    [["inconclusive", "error"], "error"],
    [["error", "fail", "pass"], "fail"],
    [[], "inconclusive"],
  ] as const)("%j → %s", (kinds, expected) => {
    expect(summarize(kinds.map((verdict) => ({ verdict })))).toBe(expected);
  });
});
