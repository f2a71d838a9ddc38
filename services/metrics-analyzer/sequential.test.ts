// The analyzer's sequential path against a scripted Prometheus: three queries per tick for every
// sequential release, counts differenced tick to tick (resets as increase() treats them), a critical
// verdict published the moment the evidence crosses the bound, and the window's verdicts replaced by
// the sequential ones.
import { describe, expect, it } from "vitest";
import type { AnalysisCompleted } from "../../schemas/analysis.js";
import { message } from "../../schemas/codec.js";
import { Command } from "../../schemas/subjects.js";
import { analysisStart, echoJudge, memoryRegistry, scriptedMetrics } from "./fakes.test-util.js";
import type { Series } from "./ports.js";
import { createService } from "./service.js";

const T0 = Date.parse("2025-01-01T00:00:00.000Z");
const sequential = { alpha: 0.05, latencyShareDelta: 2 };
const metrics = [
  { name: "error-rate", builtin: "error-rate" as const, unit: "percent", max: 1, relative: { maxDelta: 0.5 } },
  { name: "latency-p99", builtin: "latency-p99" as const, unit: "ms", relative: { maxRatio: 1.2 } },
];

/** Cumulative counters at `t` s after T0: stable served 100,000 requests before; canary 10 rps, stable 90 rps. */
function counters(svc: string, canaryErrorRate: number, t: number, reset = false): Record<string, Series[]> {
  const at = (v: string, extra: Record<string, string> = {}) => ({ destination_workload_namespace: "shop", destination_canonical_service: svc, destination_version: v, ...extra });
  const cn = reset ? 10 : 10 * t;
  const sn = 100_000 + 90 * t;
  const ce = Math.round(cn * canaryErrorRate);
  const se = Math.round(sn * 0.005);
  const buckets = (v: string, n: number) =>
    [["50", 0.88], ["100", 0.99], ["250", 1], ["+Inf", 1]].map(([le, share]) => ({ labels: at(v, { le: le as string }), value: Math.round(n * (share as number)) }));
  return {
    requests: [{ labels: at("v2"), value: cn }, { labels: at("v1"), value: sn }],
    errors: [{ labels: at("v2"), value: ce }, { labels: at("v1"), value: se }],
    buckets: [...buckets("v2", cn), ...buckets("v1", sn)],
  };
}

function setup(resetAt?: number) {
  const registry = memoryRegistry();
  const prom = scriptedMetrics((promql, timeMs) => {
    const t = Math.round((timeMs - T0) / 1000);
    const kind = promql.includes("_bucket") ? "buckets" : promql.includes('response_code=~"5.."') ? "errors" : "requests";
    return [...counters("good", 0.005, t, t === resetAt)[kind]!, ...counters("bad", 0.105, t)[kind]!];
  });
  const published: Array<{ id: string; releaseId: string; data: AnalysisCompleted }> = [];
  const service = createService({ metrics: prom, registry, judge: echoJudge, clock: () => T0, publish: async (m) => void published.push(m) });
  return { service, registry, prom, published };
}

const start = (svc: string) =>
  message(Command.analysisStart, {
    id: `start-${svc}`,
    occurredAt: new Date(T0).toISOString(),
    releaseId: `shop/${svc}/v2`,
    data: analysisStart("shop", svc, { metrics, sequential, intervalSeconds: 60 }),
  });

describe("metrics-analyzer: sequential judging", () => {
  it("queries three times per tick for all releases and rolls the +10-point canary back within seconds", async () => {
    const { service, prom, published } = setup();
    await service.start(start("good"));
    await service.start(start("bad"));
    let rolledBackAt: number | null = null;
    for (let t = 0; t <= 30 && rolledBackAt === null; t++) {
      const before = prom.calls.length;
      await service.tick(T0 + t * 1000);
      expect(prom.calls.length - before).toBe(3);
      if (published.some((p) => p.releaseId === "shop/bad/v2")) rolledBackAt = t;
    }
    // 10 canary requests a second at 10.5 % 5xx against the 1 % SLO: a few seconds of evidence.
    expect(rolledBackAt).not.toBeNull();
    expect(rolledBackAt).toBeLessThanOrEqual(6);
    const msg = published.find((p) => p.releaseId === "shop/bad/v2");
    expect(msg?.id).toBe("shop/bad/v2:analysis:sequential-rollback");
    expect(msg?.data.verdicts).toEqual([
      expect.objectContaining({ metric: "error-rate", verdict: "fail", critical: true, reason: expect.stringMatching(/^error-rate \(sequential\) 5xx: canary .*the canary is above 1 % \(at least .* %, 97.5 %, anytime-valid\): regression$/) }),
    ]);
    expect(published.filter((p) => p.releaseId === "shop/good/v2")).toEqual([]);
  });

  it("replaces the window's error-rate and latency verdicts by the sequential evidence", async () => {
    const { service, published } = setup();
    await service.start(start("good"));
    for (let t = 0; t <= 120; t++) await service.tick(T0 + t * 1000);
    const windows = published.filter((p) => p.releaseId === "shop/good/v2");
    expect(windows.map((w) => w.id)).toEqual([`shop/good/v2:analysis:${T0 + 60_000}`, `shop/good/v2:analysis:${T0 + 120_000}`]);
    const [err, lat] = windows[1]!.data.verdicts;
    // 1,200 canary requests cannot rule out +0.5 points: inconclusive, said in words, never a pass.
    expect(err).toMatchObject({ metric: "error-rate", verdict: "inconclusive", critical: false, threshold: "sequential, anytime-valid" });
    expect(err?.reason).toMatch(/^error-rate \(sequential\) 5xx: canary 0.5 % \(.*1200 requests\), stable 0.5 % .*not decided yet, a regression beyond \+0.5 points is neither shown nor ruled out$/);
    expect(lat?.reason).toMatch(/^latency-p99 \(sequential\) requests slower than 100 ms: canary 1 %/);
  });

  it("treats a counter that went down as a reset, as increase() does", async () => {
    const { service, registry } = setup(5);
    await service.start(start("good"));
    for (let t = 0; t <= 6; t++) await service.tick(T0 + t * 1000);
    // Ticks 1–4 add 10 canary requests each; at 5 the counter restarted at 10 (counted as 10); 6 adds 50.
    expect(registry.entries.get("shop/good/v2")?.registration.counts?.totals.canary.requests).toBe(40 + 10 + 50);
  });
});
