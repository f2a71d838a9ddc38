/** Composition root of the metrics-analyzer: config, NATS, KV, Prometheus, consumer, ticker, health. */
import { Registry as PromRegistry } from "prom-client";
import type { MessageOf } from "../../schemas/codec.js";
import { Bucket, Command, Event } from "../../schemas/subjects.js";
import { connectNats, createLogger, createPublisher, openKv, startConsumer, startHealthServer, runIfMain } from "../runtime/index.js";
import { createAnalyzerMetrics } from "./analyzer-metrics.js";
import { load } from "./config.js";
import { judge } from "./judge.js";
import { createPrometheusMetrics } from "./prometheus.js";
import { createKvRegistry } from "./registry-kv.js";
import { createService } from "./service.js";

const SERVICE = "metrics-analyzer";

/** A running analyzer. */
export interface RunningAnalyzer {
  /** Base URL of the health listener (`/healthz`, `/readyz`, `/metrics`). */
  healthUrl: string;
  stop(): Promise<void>;
}

/** Start the analyzer; resolves once it consumes commands and ticks. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningAnalyzer> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const nc = await connectNats(cfg.nats, SERVICE);
  const registry = new PromRegistry();
  const publisher = createPublisher(nc, { source: SERVICE });
  const kv = await openKv(nc, Bucket.analyses);
  const service = createService({
    metrics: createPrometheusMetrics({
      url: cfg.prometheusUrl,
      timeoutMs: cfg.prometheusTimeoutMs,
      ...(cfg.prometheusToken === undefined ? {} : { headers: { Authorization: `Bearer ${cfg.prometheusToken}` } }),
    }),
    registry: createKvRegistry(kv, (key, problems) => logger.warn({ key, problems }, "skipping an invalid analysis registration")),
    publish: (m) => publisher.publish(Event.analysisCompleted, m),
    judge,
    clock: Date.now,
    labels: { namespace: cfg.namespaceLabel, service: cfg.serviceLabel, version: cfg.versionLabel },
    analyzerMetrics: createAnalyzerMetrics(registry),
    log: logger,
    queryConcurrency: cfg.queryConcurrency,
  });
  const consumer = await startConsumer(
    nc,
    "metricsAnalyzer",
    (msg) => service.handle(msg as MessageOf<typeof Command.analysisStart> | MessageOf<typeof Command.analysisStop>),
    { logger, registry },
  );

  // One tick at a time: a slow Prometheus delays the next tick instead of stacking queries.
  let inFlight: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    inFlight = service
      .tick(Date.now())
      .catch((err: unknown) => logger.error({ err }, "analysis tick failed"))
      .finally(() => {
        busy = false;
      });
  }, cfg.tickMs);

  const health = await startHealthServer({
    host: cfg.http.host,
    port: cfg.http.port,
    registry,
    ready: () => !nc.isClosed() && consumer.running(),
  });
  logger.info({ prometheus: cfg.prometheusUrl, tickMs: cfg.tickMs, health: health.url }, "metrics-analyzer started");

  let stopped: Promise<void> | undefined;
  return {
    healthUrl: health.url,
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await consumer.stop();
        await inFlight;
        await health.close();
        await nc.drain();
      })();
      return stopped;
    },
  };
}

runIfMain(import.meta.url, SERVICE, () => main());
