/**
 * metrics-analyzer against a real nats-server and a real Prometheus scraping synthetic Istio metrics
 * (a prom-client registry on a local /metrics; every scrape adds a fixed batch of requests, so rates and
 * ratios are exact). Commands go through JetStream; ticks are driven by the test.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Counter, Histogram, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalysisCompleted, AnalysisStart } from "../../schemas/analysis.js";
import { decode } from "../../schemas/codec.js";
import { Bucket, Command, Event, Stream } from "../../schemas/subjects.js";
import { counterTotal } from "../../services/metrics-analyzer/analyzer-metrics.js";
import { judge } from "../../services/metrics-analyzer/judge.js";
import { createPrometheusMetrics } from "../../services/metrics-analyzer/prometheus.js";
import { labelEquals, labelIn } from "../../services/metrics-analyzer/promql-escape.js";
import { createKvRegistry } from "../../services/metrics-analyzer/registry-kv.js";
import { createService, type AnalyzerService } from "../../services/metrics-analyzer/service.js";
import { main } from "../../services/metrics-analyzer/main.js";
import { connectNats, createPublisher, openKv, provision, startConsumer, type RunningConsumer } from "../../services/runtime/index.js";
import { startNats, startPrometheus, waitFor, type NatsServer, type PrometheusServer } from "../harness/index.js";
import { memoryLogger } from "./runtime.test-util.js";

const INTERVAL_S = 5;
const LABELS = ["reporter", "destination_workload_namespace", "destination_canonical_service", "destination_version", "response_code"] as const;

/** Per scrape, per (namespace, service, version): requests, of which 5xx, and the latency of each (ms). */
const traffic = [
  { ns: "shop", svc: "ratings", version: "v2", requests: 10, errors: 1, latencyMs: 40 },
  { ns: "shop", svc: "ratings", version: "v1", requests: 10, errors: 0, latencyMs: 20 },
  { ns: "shop", svc: "reviews", version: "v2", requests: 10, errors: 0, latencyMs: 20 },
  { ns: "shop", svc: "reviews", version: "v1", requests: 10, errors: 0, latencyMs: 20 },
];

let natsSrv: NatsServer;
let prom: PrometheusServer;
let metricsServer: Server;
let nc: NatsConnection;
let consumer: RunningConsumer;
let service: AnalyzerService;
const completed: Array<{ releaseId: string; id: string; data: AnalysisCompleted }> = [];

function startSyntheticIstio(): Promise<number> {
  const registry = new Registry();
  const requests = new Counter({ name: "istio_requests_total", help: "requests", labelNames: LABELS, registers: [registry] });
  const duration = new Histogram({
    name: "istio_request_duration_milliseconds",
    help: "duration",
    labelNames: LABELS,
    buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    registers: [registry],
  });
  metricsServer = createServer((_req, res) => {
    // Traffic arrives with the scrapes: each sample differs from the last by exactly one batch.
    for (const t of traffic) {
      const base = { reporter: "destination", destination_workload_namespace: t.ns, destination_canonical_service: t.svc, destination_version: t.version };
      requests.inc({ ...base, response_code: "200" }, t.requests - t.errors);
      if (t.errors > 0) requests.inc({ ...base, response_code: "503" }, t.errors);
      for (let i = 0; i < t.requests; i++) duration.observe({ ...base, response_code: i < t.errors ? "503" : "200" }, t.latencyMs);
    }
    void registry.metrics().then((text) => res.writeHead(200, { "content-type": registry.contentType }).end(text));
  });
  return new Promise((resolve) => metricsServer.listen(0, "127.0.0.1", () => resolve((metricsServer.address() as AddressInfo).port)));
}

function start(ns: string, svc: string, over: Partial<AnalysisStart> = {}): AnalysisStart {
  return {
    namespace: ns,
    service: svc,
    versionLabel: "version",
    stableVersion: "v1",
    canaryVersion: "v2",
    intervalSeconds: INTERVAL_S,
    minRequests: 5,
    metrics: [
      { name: "error-rate", builtin: "error-rate", unit: "percent", max: 1 },
      { name: "latency-p99", builtin: "latency-p99", unit: "ms", relative: { maxRatio: 1.2 } },
    ],
    ...over,
  };
}

const prometheusQuery = () => createPrometheusMetrics({ url: prom.url, timeoutMs: 5000 });

beforeAll(async () => {
  natsSrv = await startNats();
  nc = await connectNats({ servers: [natsSrv.url] }, "metrics-analyzer-test");
  await provision(nc);
  const port = await startSyntheticIstio();
  prom = await startPrometheus({
    configYaml: [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      "scrape_configs:",
      "  - job_name: istio-synthetic",
      "    scrape_interval: 1s",
      `    static_configs: [{ targets: ["127.0.0.1:${port}"] }]`,
      "",
    ].join("\n"),
  });

  const { logger } = memoryLogger();
  const publisher = createPublisher(nc, { source: "metrics-analyzer" });
  service = createService({
    metrics: prometheusQuery(),
    registry: createKvRegistry(await openKv(nc, Bucket.analyses)),
    publish: (m) => publisher.publish(Event.analysisCompleted, m),
    judge,
    clock: Date.now,
  });
  consumer = await startConsumer(nc, "metricsAnalyzer", (msg) => service.handle(msg as never), { logger, registry: new Registry() });

  const events = await jetstream(nc).consumers.get(Stream.events.name, { filter_subjects: Event.analysisCompleted });
  void (async () => {
    for await (const m of await events.consume()) {
      const msg = decode(Event.analysisCompleted, m.data);
      completed.push({ releaseId: msg.releaseId ?? "", id: msg.id, data: msg.data });
    }
  })();

  // Wait until the last full window on the grid has at least two scrapes of every series.
  await waitFor(
    async () => {
      const end = Math.floor(Date.now() / (INTERVAL_S * 1000)) * INTERVAL_S * 1000;
      const rows = await prometheusQuery().query(`count(rate(istio_requests_total{reporter="destination"}[${INTERVAL_S}s]) > 0)`, end);
      return (rows[0]?.value ?? 0) >= 5;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: "Prometheus to hold a full analysis window of synthetic Istio metrics" },
  );
}, 60_000);

afterAll(async () => {
  await consumer?.stop();
  await nc?.drain();
  await prom?.stop();
  await natsSrv?.stop();
  await new Promise<void>((r) => (metricsServer ? metricsServer.close(() => r()) : r()));
});

async function registered(count: number): Promise<void> {
  const kv = await openKv(nc, Bucket.analyses);
  await waitFor(async () => (await kv.keys()).length >= count, { timeoutMs: 30_000, intervalMs: 50, what: `${count} analysis registrations in KV` });
}

describe("metrics-analyzer with Prometheus and NATS", () => {
  it("runs the same number of PromQL queries for 1 and for 200 releases, and publishes the expected verdicts", async () => {
    // Started a minute ago, so the last grid window is due now.
    const commands = createPublisher(nc, { source: "orchestrator", now: () => new Date(Date.now() - 60_000) });
    await commands.publish(Command.analysisStart, { releaseId: "shop/ratings/v2", id: "start-ratings", data: start("shop", "ratings") });
    await registered(1);
    const now = Date.now();
    const windowEnd = Math.floor(now / (INTERVAL_S * 1000)) * INTERVAL_S * 1000;

    const before = await counterTotal(service.counters.queries);
    const one = await service.tick(now);
    const perTickForOne = (await counterTotal(service.counters.queries)) - before;
    expect(one).toMatchObject({ due: 1, failedQueries: 0, published: 1 });

    // 200 more releases: ratings again under a second rollout, reviews, and 198 services without traffic.
    await commands.publish(Command.analysisStart, { releaseId: "shop/ratings-b/v2", id: "start-ratings-b", data: start("shop", "ratings") });
    await commands.publish(Command.analysisStart, { releaseId: "shop/reviews/v2", id: "start-reviews", data: start("shop", "reviews") });
    for (let i = 0; i < 198; i++) {
      await commands.publish(Command.analysisStart, { releaseId: `team-${i % 10}/svc-${i}/v2`, id: `start-${i}`, data: start(`team-${i % 10}`, `svc-${i}`) });
    }
    await registered(201);
    const mid = await counterTotal(service.counters.queries);
    const many = await service.tick(now);
    const perTickForMany = (await counterTotal(service.counters.queries)) - mid;
    expect(many).toMatchObject({ due: 200, failedQueries: 0, published: 200 });
    expect(perTickForMany).toBe(perTickForOne);
    expect(perTickForOne).toBe(3); // request count, error rate, p99 latency

    await waitFor(() => completed.length >= 201, { timeoutMs: 15_000, what: "201 evt.analysis.completed in JetStream" });
    const byRelease = new Map(completed.map((c) => [c.releaseId, c]));
    const ratings = byRelease.get("shop/ratings/v2");
    expect(ratings?.id).toBe(`shop/ratings/v2:analysis:${windowEnd}`);
    expect(ratings?.data).toMatchObject({ windowStart: windowEnd - INTERVAL_S * 1000, windowEnd, canaryVersion: "v2" });
    const [errorRate, latency] = ratings?.data.verdicts ?? [];
    // 1 of 10 canary requests is a 503; stable serves none (the `or … * 0` fallback gives 0, not no data).
    expect(errorRate).toMatchObject({ metric: "error-rate", verdict: "fail", critical: false });
    expect(errorRate?.canary).toBeCloseTo(10, 6);
    expect(errorRate?.stable).toBe(0);
    expect(errorRate?.canaryRequests).toBeGreaterThan(5);
    // All canary requests take 40 ms (bucket 25–50), stable 20 ms (bucket 10–25): linear interpolation at 0.99.
    expect(latency).toMatchObject({ metric: "latency-p99", verdict: "fail" });
    expect(latency?.canary).toBeCloseTo(49.75, 6);
    expect(latency?.stable).toBeCloseTo(24.85, 6);

    expect(byRelease.get("shop/ratings-b/v2")?.data.verdicts.map((v) => v.verdict)).toEqual(["fail", "fail"]);
    const reviews = byRelease.get("shop/reviews/v2")?.data.verdicts ?? [];
    expect(reviews.map((v) => [v.metric, v.verdict, v.canary])).toEqual([
      ["error-rate", "pass", 0],
      ["latency-p99", "pass", expect.closeTo(24.85, 6)],
    ]);
    // No traffic is no data, never a pass.
    expect(byRelease.get("team-3/svc-3/v2")?.data.verdicts.map((v) => [v.verdict, v.canary])).toEqual([
      ["inconclusive", null],
      ["inconclusive", null],
    ]);

    // The same window again (a restart or a second replica): nothing is published twice.
    expect((await service.tick(now)).published).toBe(0);
  });

  it("a query Prometheus rejects yields error verdicts, never a pass", async () => {
    const publisher = createPublisher(nc, { source: "metrics-analyzer" });
    const published: AnalysisCompleted[] = [];
    const broken = createService({
      metrics: prometheusQuery(),
      registry: {
        list: async () => [
          {
            registration: {
              ...start("shop", "ratings", { metrics: [{ name: "custom", query: "sum by (destination_version) (rate(x[{{interval}}])" }] }),
              releaseId: "shop/ratings/v9",
              startedAt: 0,
            },
            revision: 1,
          },
        ],
        get: async () => null,
        save: async () => true,
        remove: async () => {},
      },
      publish: async (m) => {
        published.push(m.data);
        return publisher.publish(Event.analysisCompleted, m);
      },
      judge,
      clock: Date.now,
    });
    const report = await broken.tick(Date.now());
    expect(report).toMatchObject({ due: 1, queries: 2, failedQueries: 1, published: 1 });
    expect(published[0]?.verdicts[0]).toMatchObject({ metric: "custom", verdict: "error", reason: expect.stringMatching(/HTTP 400.*bad_data/) });
  });

  it("a hostile label value stays a value: Prometheus parses the query and matches nothing", async () => {
    const q = prometheusQuery();
    const hostile = 'x"} or vector(1) #';
    expect(await q.query(`sum(istio_requests_total{${labelEquals("destination_workload_namespace", hostile)}})`, Date.now())).toEqual([]);
    expect(await q.query(`sum(istio_requests_total{${labelIn("destination_canonical_service", [hostile, ".*"])}})`, Date.now())).toEqual([]);
    const real = await q.query(`sum(istio_requests_total{${labelIn("destination_canonical_service", ["ratings"])}})`, Date.now());
    expect(real[0]?.value).toBeGreaterThan(0);
  });

  it("main() starts, serves /readyz and its query counter on /metrics, and stops", async () => {
    const running = await main({
      SISKIN_NATS_SERVERS: natsSrv.url,
      SISKIN_HTTP_PORT: "0",
      SISKIN_PROMETHEUS_URL: prom.url,
      SISKIN_TICK_MS: "60000",
      SISKIN_LOG_LEVEL: "silent",
    });
    try {
      expect((await fetch(`${running.healthUrl}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${running.healthUrl}/metrics`)).text()).toContain("siskin_analyzer_queries_total");
    } finally {
      await running.stop();
    }
  });
});
