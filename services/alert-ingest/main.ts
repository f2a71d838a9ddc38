/** Composition root of alert-ingest: the rollouts index and the Alertmanager webhook listener, started by the runtime's startWorker. */
import { Bucket } from "../../schemas/subjects.js";
import { createPublisher, openKv, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { load } from "./config.js";
import { buildApp } from "./http.js";
import { createKvIndex } from "./index-kv.js";
import { createService } from "./service.js";

const SERVICE = "alert-ingest";

/** A running alert-ingest. */
export type RunningAlertIngest = RunningWorker<{
  /** Base URL of the webhook listener (`http://host:port`); the webhook is at `/webhooks/alertmanager`. */
  webhookUrl: string;
}>;

/** Start alert-ingest; resolves once the webhook listener is up. */
export function main(env: Env = process.env): Promise<RunningAlertIngest> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, logger, onStop }) {
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
        ...(cfg.webhook.token === undefined ? { insecureNoAuth: true } : { bearerToken: cfg.webhook.token }),
        log: logger,
      });
      await app.listen({ host: cfg.webhook.host, port: cfg.webhook.port });
      onStop(() => app.close());
      const addr = app.server.address();
      const port = addr !== null && typeof addr === "object" ? addr.port : cfg.webhook.port;
      const host = cfg.webhook.host.includes(":") ? `[${cfg.webhook.host}]` : cfg.webhook.host;
      const webhookUrl = `http://${host}:${port}`;
      if (cfg.webhook.token === undefined) {
        logger.warn(
          { insecureNoAuth: true, webhook: `${webhookUrl}/webhooks/alertmanager` },
          "INSECURE: SISKIN_INSECURE_NO_AUTH=true, the Alertmanager webhook accepts anyone; anybody who reaches it can roll back a release. Never set this outside a simulation",
        );
      }
      return { webhookUrl };
    },
    describe: (w) => ({ webhook: `${w.webhookUrl}/webhooks/alertmanager` }),
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
