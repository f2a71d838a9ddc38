/** Composition root of the vm-provisioner: config, NATS, client-node, the consumer, health. */
import { Registry as PromRegistry } from "prom-client";
import { connectNats, createLogger, createPublisher, startConsumer, startHealthServer, runIfMain } from "../runtime/index.js";
import { load } from "./config.js";
import { createKubeMesh, createKubeVms, loadKubeConfig } from "./kube.js";
import { createService, type ProvisionerMessage } from "./service.js";

const SERVICE = "vm-provisioner";

/** A running provisioner. */
export interface RunningProvisioner {
  /** Base URL of the health listener (`/healthz`, `/readyz`, `/metrics`). */
  healthUrl: string;
  stop(): Promise<void>;
}

/** Start the provisioner; resolves once it consumes `cmd.vm.*`. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningProvisioner> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const kc = loadKubeConfig(cfg.kubeconfig);
  const nc = await connectNats(cfg.nats, SERVICE);
  const registry = new PromRegistry();
  const service = createService({
    vms: createKubeVms(kc),
    mesh: createKubeMesh(kc, { istioApiVersion: cfg.istioApiVersion }),
    events: createPublisher(nc, { source: SERVICE }),
    maxPatchAttempts: cfg.maxPatchAttempts,
  });
  const consumer = await startConsumer(nc, "vmProvisioner", (msg, ctx) => service.handle(msg as ProvisionerMessage, { lastAttempt: ctx.deliveryCount >= cfg.maxDeliver }), {
    logger,
    registry,
    maxDeliver: cfg.maxDeliver,
  });
  const health = await startHealthServer({ host: cfg.http.host, port: cfg.http.port, registry, ready: () => !nc.isClosed() && consumer.running() });
  logger.info("vm-provisioner consuming cmd.vm.*");

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
