/** Composition root of the notifier: KV `threads`, Slack, webhooks and the consumers `notifierEvents` and `notifierCommands`, started by the runtime's startWorker. */
import type { MessageOf } from "../../schemas/codec.js";
import { Bucket, Command } from "../../schemas/subjects.js";
import { openKv, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { load } from "./config.js";
import { createService } from "./service.js";
import { chatOf, createWebClient } from "./slack.js";
import { createWebhooks } from "./webhooks.js";

const SERVICE = "notifier";

/** A running notifier. */
export type RunningNotifier = RunningWorker;

/** Start the notifier; resolves once both consumers run. */
export function main(env: Env = process.env): Promise<RunningNotifier> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, logger, consume }) {
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
      await consume("notifierEvents", (msg) => service.handle(msg));
      await consume("notifierCommands", (msg) => service.notify(msg as MessageOf<typeof Command.notifySend>));
      return {};
    },
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
