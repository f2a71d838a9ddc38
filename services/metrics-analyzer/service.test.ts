import { describe, expect, it } from "vitest";
import type { AnalysisCompleted } from "../../schemas/analysis.js";
import { message } from "../../schemas/codec.js";
import { Command } from "../../schemas/subjects.js";
import { counterTotal } from "./analyzer-metrics.js";
import { analysisStart, echoJudge, memoryRegistry, scriptedMetrics } from "./fakes.test-util.js";
import { QueryError, type Series } from "./ports.js";
import { createService } from "./service.js";

const T0 = Date.parse("2025-01-01T00:00:00.000Z");

function startMsg(ns: string, svc: string, over = {}, occurredAt = new Date(T0).toISOString()) {
  return message(Command.analysisStart, { id: `start-${ns}-${svc}`, occurredAt, releaseId: `${ns}/${svc}/v2`, data: analysisStart(ns, svc, over) });
}

function rows(labelsByVersion: Record<string, number>, ns = "shop", svc = "ratings"): Series[] {
  return Object.entries(labelsByVersion).map(([v, value]) => ({
    labels: { destination_workload_namespace: ns, destination_canonical_service: svc, destination_version: v },
    value,
  }));
}

function setup(answer: (promql: string) => Series[] = () => []) {
  const registry = memoryRegistry();
  const metrics = scriptedMetrics(answer);
  const published: Array<{ id: string; releaseId: string; data: AnalysisCompleted }> = [];
  let failPublish = false;
  const service = createService({
    metrics,
    registry,
    judge: echoJudge,
    clock: () => T0,
    publish: async (m) => {
      if (failPublish) throw new Error("nats down");
      published.push(m);
    },
  });
  return { service, registry, metrics, published, failPublishing: (v: boolean) => (failPublish = v) };
}

describe("cmd.analysis.start / stop", () => {
  it("registers from the envelope, idempotently", async () => {
    const { service, registry } = setup();
    expect(await service.start(startMsg("shop", "ratings"))).toEqual({ registered: true });
    const rev = registry.entries.get("shop/ratings/v2")?.revision;
    expect(await service.start(startMsg("shop", "ratings"))).toEqual({ registered: false });
    expect(registry.entries.get("shop/ratings/v2")).toMatchObject({
      revision: rev,
      registration: { releaseId: "shop/ratings/v2", startedAt: T0, namespace: "shop", service: "ratings", intervalSeconds: 10 },
    });
  });

  it("a different start replaces the analysis and restarts its windows", async () => {
    const { service, registry } = setup();
    await service.handle(startMsg("shop", "ratings"));
    await service.handle(startMsg("shop", "ratings", { minRequests: 5 }, new Date(T0 + 60_000).toISOString()));
    expect(registry.entries.get("shop/ratings/v2")?.registration).toMatchObject({ minRequests: 5, startedAt: T0 + 60_000 });
  });

  it("stop removes the registration, and a missing releaseId is refused for good", async () => {
    const { service, registry } = setup();
    await service.handle(startMsg("shop", "ratings"));
    await service.handle(message(Command.analysisStop, { id: "s", occurredAt: new Date(T0).toISOString(), releaseId: "shop/ratings/v2", data: { reason: "promoted" } }));
    expect(registry.entries.size).toBe(0);
    const bad = message(Command.analysisStop, { id: "s2", occurredAt: new Date(T0).toISOString(), data: { reason: "x" } });
    await expect(service.handle(bad)).rejects.toMatchObject({ code: "SISKIN_ERR_INVALID_MESSAGE", retryable: false });
  });
});

describe("tick", () => {
  const answer = (promql: string): Series[] => {
    if (promql.startsWith("sum by") && promql.includes("increase(")) return rows({ v2: 100, v1: 900 });
    if (promql.startsWith("(sum by")) return rows({ v2: 2, v1: 0.5 });
    if (promql.startsWith("histogram_quantile")) return rows({ v2: 80, v1: NaN });
    return [];
  };

  it("publishes nothing before the first full window, then one message per release per window", async () => {
    const { service, published, metrics } = setup(answer);
    await service.start(startMsg("shop", "ratings"));
    expect(await service.tick(T0 + 9_999)).toEqual({ due: 0, queries: 0, failedQueries: 0, published: 0 });
    expect(metrics.calls).toHaveLength(0);

    expect(await service.tick(T0 + 10_500)).toEqual({ due: 1, queries: 3, failedQueries: 0, published: 1 });
    expect(published[0]).toEqual({
      id: `shop/ratings/v2:analysis:${T0 + 10_000}`,
      releaseId: "shop/ratings/v2",
      data: {
        windowStart: T0,
        windowEnd: T0 + 10_000,
        canaryVersion: "v2",
        verdicts: [
          { metric: "error-rate", verdict: "fail", critical: false, canary: 2, stable: 0.5, canaryRequests: 100, reason: "ok" },
          { metric: "latency-p99", verdict: "inconclusive", critical: false, canary: 80, stable: null, canaryRequests: 100, reason: "no data" },
        ],
      },
    });
    expect(new Set(metrics.calls.map((c) => c.timeMs))).toEqual(new Set([T0 + 10_000]));

    // Same window again (a second tick, a restart): nothing new.
    expect((await service.tick(T0 + 19_000)).published).toBe(0);
    expect((await service.tick(T0 + 20_000)).published).toBe(1);
    expect(published[1]?.id).toBe(`shop/ratings/v2:analysis:${T0 + 20_000}`);
  });

  it("counts the same queries for 1 and for 200 releases", async () => {
    const one = setup(answer);
    await one.service.start(startMsg("ns-0", "svc-0"));
    const many = setup(answer);
    for (let i = 0; i < 200; i++) await many.service.start(startMsg(`ns-${i % 9}`, `svc-${i}`));
    const a = await one.service.tick(T0 + 10_000);
    const b = await many.service.tick(T0 + 10_000);
    expect(b.due).toBe(200);
    expect(b.published).toBe(200);
    expect(b.queries).toBe(a.queries);
    expect(await counterTotal(many.service.counters.queries)).toBe(await counterTotal(one.service.counters.queries));
    expect(many.metrics.calls).toHaveLength(3);
  });

  it("a failing Prometheus yields error verdicts for every release, never a pass, and counts failed queries", async () => {
    const { service, published } = setup(() => {
      throw new QueryError("prometheus query failed (HTTP 503): unavailable", { errorType: "http_error", httpStatus: 503 });
    });
    await service.start(startMsg("shop", "ratings"));
    await service.start(startMsg("shop", "reviews"));
    expect(await service.tick(T0 + 10_000)).toMatchObject({ due: 2, queries: 3, failedQueries: 3, published: 2 });
    for (const p of published) {
      expect(p.data.verdicts.map((v) => v.verdict)).toEqual(["error", "error"]);
      expect(p.data.verdicts[0]?.reason).toMatch(/HTTP 503/);
    }
    const { values } = await service.counters.queries.get();
    expect(values.every((v) => v.labels.outcome === "error")).toBe(true);
  });

  it("a failed publish is retried on the next tick of the same window", async () => {
    const { service, published, failPublishing } = setup(answer);
    await service.start(startMsg("shop", "ratings"));
    failPublishing(true);
    expect((await service.tick(T0 + 10_000)).published).toBe(0);
    failPublishing(false);
    expect((await service.tick(T0 + 10_400)).published).toBe(1);
    expect(published[0]?.id).toBe(`shop/ratings/v2:analysis:${T0 + 10_000}`);
  });

  it("a release stopped during a tick is not resurrected", async () => {
    const { service, registry } = setup(answer);
    await service.start(startMsg("shop", "ratings"));
    const list = registry.list;
    registry.list = async () => {
      const l = await list();
      registry.entries.clear();
      return l;
    };
    await service.tick(T0 + 10_000);
    expect(registry.entries.size).toBe(0);
  });
});
