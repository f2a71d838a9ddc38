/** Composition root of the traffic-router: config, NATS, client-node, the consumer, health. */
import { Registry as PromRegistry } from "prom-client";
import type { MessageOf } from "../../schemas/codec.js";
import type { Command } from "../../schemas/subjects.js";
import { connectNats, createLogger, createPublisher, startConsumer, startHealthServer, runIfMain } from "../runtime/index.js";
import { load } from "./config.js";
import { createKubeDestinationRules, createKubeVirtualServices, loadKubeConfig } from "./kube.js";
import { createService } from "./service.js";

const SERVICE = "traffic-router";

/** A running router. */
export interface RunningTrafficRouter {
  /** Base URL of the health listener (`/healthz`, `/readyz`, `/metrics`). */
  healthUrl: string;
  stop(): Promise<void>;
}

/** Start the router; resolves once it consumes `cmd.traffic.set_weights`. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningTrafficRouter> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const kc = loadKubeConfig(cfg.kubeconfig);
  const nc = await connectNats(cfg.nats, SERVICE);
  const registry = new PromRegistry();
  const service = createService({
    virtualServices: createKubeVirtualServices(kc, { istioApiVersion: cfg.istioApiVersion }),
    destinationRules: createKubeDestinationRules(kc, { istioApiVersion: cfg.istioApiVersion }),
    events: createPublisher(nc, { source: SERVICE }),
    maxAttempts: cfg.maxAttempts,
  });
  const consumer = await startConsumer(
    nc,
    "trafficRouter",
    (msg, ctx) => service.handle(msg as MessageOf<typeof Command.trafficSetWeights>, { lastAttempt: ctx.deliveryCount >= cfg.maxDeliver }),
    { logger, registry, maxDeliver: cfg.maxDeliver },
  );
  const health = await startHealthServer({ host: cfg.http.host, port: cfg.http.port, registry, ready: () => !nc.isClosed() && consumer.running() });
  logger.info("traffic-router consuming cmd.traffic.set_weights");

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await consumer.stop();
      await nc.drain();
      await health.close();
    })());
  return { healthUrl: health.url, stop };
}

runIfMain(import.meta.url, SERVICE, () => main());
