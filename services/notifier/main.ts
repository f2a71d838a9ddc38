/** Composition root of the notifier: config, NATS (consumers `notifierEvents` and `notifierCommands`, KV `threads`), Slack, webhooks, health. */
import { Registry as PromRegistry } from "prom-client";
import type { MessageOf } from "../../schemas/codec.js";
import { Bucket, Command } from "../../schemas/subjects.js";
import { connectNats, createLogger, openKv, startConsumer, startHealthServer, runIfMain } from "../runtime/index.js";
import { load } from "./config.js";
import { createService } from "./service.js";
import { chatOf, createWebClient } from "./slack.js";
import { createWebhooks } from "./webhooks.js";

const SERVICE = "notifier";

/** A running notifier. */
export interface RunningNotifier {
  healthUrl: string;
  stop(): Promise<void>;
}

/** Start the notifier; resolves once both consumers run. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningNotifier> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const registry = new PromRegistry();
  const nc = await connectNats(cfg.nats, SERVICE);
  const kv = await openKv(nc, Bucket.threads);
  const chat = chatOf(createWebClient(cfg.slack.botToken, cfg.slack.apiUrl), {
    maxRateLimitRetries: cfg.slack.maxRateLimitRetries,
    onRateLimited: (method, retryAfterSec) => logger.warn({ method, retryAfterSec }, "Slack rate limit; waiting"),
  });
  const service = createService({
    chat,
    kv,
    webhooks: createWebhooks({ timeoutMs: cfg.webhooks.timeoutMs, ...(cfg.webhooks.secret === undefined ? {} : { secret: cfg.webhooks.secret }) }),
    defaultChannel: cfg.slack.defaultChannel,
    onError: (err, what) => logger.warn({ err }, what),
  });
  const events = await startConsumer(nc, "notifierEvents", (msg) => service.handle(msg), { logger, registry });
  const commands = await startConsumer(nc, "notifierCommands", (msg) => service.notify(msg as MessageOf<typeof Command.notifySend>), { logger, registry });
  const health = await startHealthServer({ host: cfg.http.host, port: cfg.http.port, registry, ready: () => !nc.isClosed() && events.running() && commands.running() });
  logger.info({ health: health.url }, "notifier started");

  let stopped: Promise<void> | undefined;
  return {
    healthUrl: health.url,
    stop() {
      stopped ??= (async () => {
        await events.stop();
        await commands.stop();
        await health.close();
        await nc.drain();
      })();
      return stopped;
    },
  };
}

runIfMain(import.meta.url, SERVICE, () => main());
