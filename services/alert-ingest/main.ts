/** Composition root of alert-ingest: config, NATS, the rollouts index, the webhook listener, health. */
import { Registry as PromRegistry } from "prom-client";
import { Bucket } from "../../schemas/subjects.js";
import { connectNats, createLogger, createPublisher, openKv, startHealthServer, runIfMain } from "../runtime/index.js";
import { load } from "./config.js";
import { buildApp } from "./http.js";
import { createKvIndex } from "./index-kv.js";
import { createService } from "./service.js";

const SERVICE = "alert-ingest";

/** A running alert-ingest. */
export interface RunningAlertIngest {
  /** Base URL of the webhook listener (`http://host:port`); the webhook is at `/webhooks/alertmanager`. */
  webhookUrl: string;
  /** Base URL of the health listener (`/healthz`, `/readyz`, `/metrics`). */
  healthUrl: string;
  stop(): Promise<void>;
}

/** Start alert-ingest; resolves once the webhook listener is up. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningAlertIngest> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const nc = await connectNats(cfg.nats, SERVICE);
  const publisher = createPublisher(nc, { source: SERVICE });
  const kv = await openKv(nc, Bucket.rollouts);
  const service = createService({
    index: createKvIndex(kv, (key, problems) => logger.warn({ key, problems }, "skipping an invalid rollouts index entry")),
    publish: (subject, m) => publisher.publish(subject, m),
    log: logger,
  });
  const app = buildApp({
    service,
    bodyLimit: cfg.webhook.bodyLimit,
    ...(cfg.webhook.token === undefined ? {} : { bearerToken: cfg.webhook.token }),
    log: logger,
  });
  await app.listen({ host: cfg.webhook.host, port: cfg.webhook.port });
  const addr = app.server.address();
  const port = addr !== null && typeof addr === "object" ? addr.port : cfg.webhook.port;
  const host = cfg.webhook.host.includes(":") ? `[${cfg.webhook.host}]` : cfg.webhook.host;
  const webhookUrl = `http://${host}:${port}`;

  const health = await startHealthServer({
    host: cfg.http.host,
    port: cfg.http.port,
    registry: new PromRegistry(),
    ready: () => !nc.isClosed(),
  });
  logger.info({ webhook: `${webhookUrl}/webhooks/alertmanager`, health: health.url, auth: cfg.webhook.token !== undefined }, "alert-ingest started");

  let stopped: Promise<void> | undefined;
  return {
    webhookUrl,
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
