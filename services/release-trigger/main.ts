/** Composition root of release-trigger: config, NATS, the VMRollouts reader, the webhook/API listener, health. */
import { randomUUID } from "node:crypto";
import { KubeConfig } from "@kubernetes/client-node";
import { Registry as PromRegistry } from "prom-client";
import { connectNats, createLogger, createPublisher, startHealthServer, runIfMain } from "../runtime/index.js";
import { load } from "./config.js";
import { buildApp } from "./http.js";
import { createKubeRollouts } from "./kube.js";
import { createService } from "./service.js";

const SERVICE = "release-trigger";

/** A running release-trigger. */
export interface RunningReleaseTrigger {
  /** `http://host:port`: the webhook is at `/webhooks/github`, the API under `/api/v1`. */
  url: string;
  healthUrl: string;
  stop(): Promise<void>;
}

/** Start release-trigger; resolves once the listener is up. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningReleaseTrigger> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const kc = new KubeConfig();
  if (cfg.kubeconfig === undefined) kc.loadFromDefault();
  else kc.loadFromFile(cfg.kubeconfig);
  const nc = await connectNats(cfg.nats, SERVICE);
  const publisher = createPublisher(nc, { source: SERVICE });
  const service = createService({ rollouts: createKubeRollouts(kc), publisher, newId: randomUUID });
  const app = buildApp({ service, githubSecret: cfg.github.webhookSecret, apiToken: cfg.api.token, logger });
  const address = await app.listen({ host: cfg.listen.host, port: cfg.listen.port });
  const health = await startHealthServer({ host: cfg.http.host, port: cfg.http.port, registry: new PromRegistry(), ready: () => !nc.isClosed() });
  logger.info({ url: address, health: health.url }, "release-trigger started");

  let stopped: Promise<void> | undefined;
  return {
    url: address,
    healthUrl: health.url,
    stop() {
      stopped ??= (async () => {
        await app.close();
        await health.close();
        await nc.drain();
      })();
      return stopped;
    },
  };
}

runIfMain(import.meta.url, SERVICE, () => main());
