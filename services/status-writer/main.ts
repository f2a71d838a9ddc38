/** Composition root of status-writer: config, NATS, Kubernetes, the consume loop, health. */
import { Registry as PromRegistry } from "prom-client";
import { Command } from "../../schemas/subjects.js";
import { connectNats, createLogger, startConsumer, startHealthServer, runIfMain } from "../runtime/index.js";
import { load } from "./config.js";
import { kubeRollouts, loadKubeConfig } from "./kube.js";
import { createService } from "./service.js";

const SERVICE = "status-writer";

/** Start status-writer. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<{ stop(): Promise<void> }> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const nc = await connectNats(cfg.nats, SERVICE);
  const service = createService({ rollouts: kubeRollouts(loadKubeConfig(cfg.kubeconfig)), maxAttempts: cfg.maxAttempts });
  const registry = new PromRegistry();
  const consumer = await startConsumer(
    nc,
    "statusWriter",
    async (msg) => {
      if (msg.type !== Command.statusWrite) return;
      const outcome = await service.handle(msg as Parameters<typeof service.handle>[0]);
      if (outcome === "rollout-missing") logger.warn({ rollout: msg.data }, "VMRollout is gone; status not written");
    },
    { logger, registry },
  );
  const health = await startHealthServer({ host: cfg.http.host, port: cfg.http.port, registry, ready: () => consumer.running() });
  logger.info({ health: health.url }, "status-writer started");
  return {
    async stop() {
      await consumer.stop();
      await health.close();
      await nc.drain();
    },
  };
}

runIfMain(import.meta.url, SERVICE, () => main());
