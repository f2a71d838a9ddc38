import { describe, expect, it } from "vitest";
import { releaseViewOf } from "../runtime/release-view.js";
import { storedRelease, T0 } from "./fakes.test-util.js";
import { chartQuery, chartRange, promqlString } from "./promql.js";
import { listRows, rowOf, slackLink, specFactsOf, timelineItemOf } from "./views.js";

const row = (o: Parameters<typeof storedRelease>[0]) => {
  const s = storedRelease(o);
  const v = releaseViewOf(s.releaseId, s);
  if (v === null) throw new Error("no view");
  return rowOf(v, specFactsOf(s));
};

describe("release rows", () => {
  it("say the phase in words, the 1-based step and who must approve while a gate is pending or ahead", () => {
    expect(row({})).toMatchObject({ phase: "awaiting approval", step: 3, steps: 3, weight: 50, approvers: ["alice"] });
    expect(row({ state: { step: "analyzing" }, step: 0, weight: 10 })).toMatchObject({ phase: "analyzing", step: 1, approvers: ["alice"] });
    expect(row({ done: true, state: "succeeded" })).toMatchObject({ phase: "promoted", approvers: [] });
  });

  it("list one current release per rollout unless all are asked for, and filter by every word", () => {
    const rows = [row({ version: "v3", requestedAt: T0 + 2 }), row({ version: "v2", done: true, state: "succeeded" }), row({ namespace: "shop", version: "v1" })];
    expect(listRows(rows, {}).map((r) => r.releaseId)).toEqual(["bookinfo/ratings/v3", "shop/ratings/v1"]);
    expect(listRows(rows, { all: true })).toHaveLength(3);
    expect(listRows(rows, { all: true, q: "ratings promoted" }).map((r) => r.releaseId)).toEqual(["bookinfo/ratings/v2"]);
  });

  it("classify audit lines for the timeline", () => {
    const line = { seq: 3, at: T0, reason: "ok", actor: { kind: "dashboard", id: "alice" } };
    expect(timelineItemOf({ ...line, event: "cmd.orchestrator.control", from: "step.awaitingApproval", to: "step.shifting" }).kind).toBe("action");
    expect(timelineItemOf({ ...line, event: "evt.approval.granted", from: "step.awaitingApproval", to: "step.shifting" }).kind).toBe("approval");
    expect(timelineItemOf({ ...line, event: "evt.analysis.completed", from: "step.analyzing", to: "step.analyzing", actor: null }).kind).toBe("fact");
  });

  it("link Slack threads through the workspace when it is known", () => {
    expect(slackLink({ channel: "C1", ts: "1700000000.000100" }, "https://acme.slack.com/")).toBe("https://acme.slack.com/archives/C1/p1700000000000100");
  });
});

describe("chart queries", () => {
  it("select one service's versions, escaped, grouped by version", () => {
    const q = chartQuery("error-rate", { namespace: "shop", service: 'rat"ings', versions: ["v1", "v2.0.0"] }, 15);
    expect(q).toContain('destination_canonical_service="rat\\"ings"');
    expect(q).toContain('destination_version=~"v1|v2\\\\.0\\\\.0"');
    expect(q).toMatch(/^\(sum by \(destination_version\) \(rate\(istio_requests_total\{.*response_code=~"5\.\."\}\[15s\]\)\) or .* \* 0\) \/ .* \* 100$/);
    expect(chartQuery("latency-p99", { namespace: "a", service: "b", versions: ["v1"] }, 30)).toMatch(/^histogram_quantile\(0\.99, sum by \(destination_version, le\)/);
    expect(promqlString("a\\b")).toBe("a\\\\b");
  });

  it("resolve about 240 points over the release's life", () => {
    expect(chartRange(T0, T0 + 60_000)).toMatchObject({ step: 1, windowSeconds: 10 });
    const long = chartRange(T0, T0 + 6 * 3600_000);
    expect((long.end - long.start) / long.step).toBeLessThanOrEqual(240);
    expect(long.windowSeconds).toBe(long.step * 3);
  });
});
