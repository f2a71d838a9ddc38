/** Composition root of the orchestrator: config, NATS (provisioned), KV stores, two consumers, the ticker, health. */
import { Registry as PromRegistry } from "prom-client";
import { connectNats, createLogger, provision, startConsumer, startHealthServer, type RunningConsumer, runIfMain } from "../runtime/index.js";
import { load } from "./config.js";
import { createOrchestratorMetrics } from "./metrics.js";
import { openPorts } from "./nats-ports.js";
import { createService } from "./service.js";
import { startTicker } from "./ticker.js";

const SERVICE = "orchestrator";

/** A running orchestrator. */
export interface RunningOrchestrator {
  /** Base URL of the health listener (`/healthz`, `/readyz`, `/metrics`). */
  healthUrl: string;
  stop(): Promise<void>;
}

/** Start the orchestrator; resolves once both consumers and the ticker run. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningOrchestrator> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const nc = await connectNats(cfg.nats, SERVICE);
  const consumers: RunningConsumer[] = [];
  try {
    // Idempotent: a fresh NATS gets its streams, consumers and buckets; an existing one is left as it is.
    if (cfg.provision) await provision(nc, { replicas: cfg.replicas });
    const registry = new PromRegistry();
    const metrics = createOrchestratorMetrics(registry);
    const ports = await openPorts(nc, metrics, SERVICE);
    const service = createService({
      ...ports,
      metrics,
      log: logger,
      maxAttempts: cfg.maxAttempts,
    });
    consumers.push(await startConsumer(nc, "orchestrator", (msg) => service.handle(msg), { logger, registry }));
    consumers.push(await startConsumer(nc, "orchestratorControl", (msg) => service.handle(msg), { logger, registry }));
    const ticker = startTicker({ tick: () => service.tick(), tickMs: cfg.tickMs, log: logger });
    const health = await startHealthServer({
      host: cfg.http.host,
      port: cfg.http.port,
      registry,
      ready: () => !nc.isClosed() && consumers.every((c) => c.running()) && ticker.running(),
    });
    logger.info({ health: health.url, tickMs: cfg.tickMs }, "orchestrator started");

    let stopped: Promise<void> | undefined;
    return {
      healthUrl: health.url,
      stop() {
        stopped ??= (async () => {
          await ticker.stop();
          for (const c of consumers) await c.stop();
          await health.close();
          await nc.drain();
        })();
        return stopped;
      },
    };
  } catch (err) {
    for (const c of consumers) await c.stop().catch(() => undefined);
    await nc.close();
    throw err;
  }
}

runIfMain(import.meta.url, SERVICE, () => main());
