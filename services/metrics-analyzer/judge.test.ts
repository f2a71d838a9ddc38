import { describe, expect, it } from "vitest";
import { istioLabels } from "./builtin-queries.js";
import { evaluateRelease, type QueryOutcome } from "./evaluate.js";
import { stored } from "./fakes.test-util.js";
import { judge } from "./judge.js";
import { dueWindows, planQueries } from "./plan.js";

describe("judge (the workflow's judge behind the analyzer's port)", () => {
  it("turns fanned-out samples into the workflow's verdicts", () => {
    const plan = planQueries(dueWindows([stored("shop", "ratings")], 1_000_000), istioLabels);
    const row = (v: string, value: number) => ({
      labels: { destination_workload_namespace: "shop", destination_canonical_service: "ratings", destination_version: v },
      value,
    });
    const answers: Record<string, QueryOutcome> = {
      requests: { ok: true, series: [row("v2", 100), row("v1", 900)] },
      "error-rate": { ok: true, series: [row("v2", 10), row("v1", 0)] },
      "latency-p99": { ok: true, series: [row("v2", NaN), row("v1", 20)] },
    };
    const outcomes = new Map(plan.queries.map((q) => [q.key, answers[q.kind] as QueryOutcome]));
    const [release] = plan.releases;
    const out = evaluateRelease(release!, outcomes, judge, istioLabels);
    expect(out.verdicts.map((v) => [v.metric, v.verdict, v.canary, v.stable, v.canaryRequests])).toEqual([
      ["error-rate", "fail", 10, 0, 100],
      ["latency-p99", "inconclusive", null, 20, 100],
    ]);
  });

  it("applies minRequests", () => {
    const v = judge({ name: "error-rate", builtin: "error-rate", max: 1 }, { value: 0, requests: 3 }, { value: 0, requests: 300 }, { minRequests: 20, intervalSeconds: 10 });
    expect(v).toMatchObject({ verdict: "inconclusive", canaryRequests: 3 });
  });
});
