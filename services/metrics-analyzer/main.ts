/** Composition root of the metrics-analyzer: KV, Prometheus, the consumer and the analysis ticker, started by the runtime's startWorker. */
import type { MessageOf } from "../../schemas/codec.js";
import { Bucket, Command, Event } from "../../schemas/subjects.js";
import { createPublisher, openKv, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { createAnalyzerMetrics } from "./analyzer-metrics.js";
import { load } from "./config.js";
import { judge } from "./judge.js";
import { createPrometheusMetrics } from "./prometheus.js";
import { createKvRegistry } from "./registry-kv.js";
import { createService } from "./service.js";

const SERVICE = "metrics-analyzer";

/** A running analyzer. */
export type RunningAnalyzer = RunningWorker;

/** Start the analyzer; resolves once it consumes commands and ticks. */
export function main(env: Env = process.env): Promise<RunningAnalyzer> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, logger, registry, consume, onStop }) {
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
      await consume("metricsAnalyzer", (msg) => service.handle(msg as MessageOf<typeof Command.analysisStart> | MessageOf<typeof Command.analysisStop>));

      // One tick at a time: a slow Prometheus delays the next tick instead of stacking queries.
      let inFlight: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        inFlight ??= service
          .tick(Date.now())
          .catch((err: unknown) => logger.error({ err }, "analysis tick failed"))
          .finally(() => (inFlight = undefined));
      }, cfg.tickMs);
      onStop(async () => {
        clearInterval(timer);
        await inFlight;
      });
      return {};
    },
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
