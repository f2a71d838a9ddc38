/**
 * Composition root of approval-gateway: config, NATS (consumer `approvalGateway`, KV `threads`),
 * the Bolt app on its interactivity listener, the expiry ticker, health.
 */
import { Registry as PromRegistry } from "prom-client";
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import { Bucket, Command } from "../../schemas/subjects.js";
import { connectNats, createLogger, createPublisher, openKv, startConsumer, startHealthServer, runIfMain } from "../runtime/index.js";
import { load } from "./config.js";
import { createFastifyReceiver } from "./receiver.js";
import { createService } from "./service.js";
import { chatOf, createBoltApp, directoryOf, registerApprovalActions } from "./slack.js";

const SERVICE = "approval-gateway";

/** A running approval-gateway. */
export interface RunningApprovalGateway {
  /** Where Slack POSTs interactions (`http://host:port/slack/events`). */
  interactivityUrl: string;
  healthUrl: string;
  /** Run one expiry pass now (the ticker does this every `tickSeconds`). */
  tick(now?: number): Promise<{ expired: number; finished: number }>;
  stop(): Promise<void>;
}

/** Start approval-gateway; resolves once the interactivity listener is up and the consumer runs. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningApprovalGateway> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const onError = (err: unknown, what: string) => logger.warn({ err }, what);
  const registry = new PromRegistry();
  const nc = await connectNats(cfg.nats, SERVICE);
  const publisher = createPublisher(nc, { source: SERVICE });
  const kv = await openKv(nc, Bucket.threads);
  const receiver = createFastifyReceiver({
    signingSecret: cfg.slack.signingSecret,
    path: cfg.interactivity.path,
    processBeforeResponse: cfg.interactivity.processBeforeResponse,
    onError: (err, what) => logger.error({ err }, what),
  });
  const app = createBoltApp({ botToken: cfg.slack.botToken, ...(cfg.slack.apiUrl === undefined ? {} : { slackApiUrl: cfg.slack.apiUrl }), receiver, logger });
  const service = createService({
    chat: chatOf(app.client),
    directory: directoryOf(app.client),
    kv,
    publisher,
    clock: Date.now,
    defaultChannel: cfg.slack.defaultChannel,
    onError,
  });
  registerApprovalActions(app, service);
  await app.init();
  await receiver.start(cfg.interactivity.port, cfg.interactivity.host);

  const consumer = await startConsumer(
    nc,
    "approvalGateway",
    async (msg) => {
      if (msg.type === Command.approvalRequest) return service.request(msg as MessageOf<typeof Command.approvalRequest>);
      if (msg.type === Command.approvalCancel) return service.cancel(msg as MessageOf<typeof Command.approvalCancel>);
      throw new SiskinError("SISKIN_ERR_UNKNOWN_SUBJECT", `approval-gateway does not handle ${msg.type}`);
    },
    { logger, registry },
  );

  let ticking: Promise<unknown> | undefined;
  const tick = (now = Date.now()) => service.tick(now);
  const ticker = setInterval(() => {
    ticking ??= tick()
      .catch((err: unknown) => logger.error({ err }, "approval expiry tick failed"))
      .finally(() => (ticking = undefined));
  }, cfg.tickSeconds * 1000);
  ticker.unref();

  const health = await startHealthServer({ host: cfg.http.host, port: cfg.http.port, registry, ready: () => !nc.isClosed() && consumer.running() });
  const interactivityUrl = `${receiver.url()}${cfg.interactivity.path}`;
  logger.info({ interactivityUrl, health: health.url }, "approval-gateway started");

  let stopped: Promise<void> | undefined;
  return {
    interactivityUrl,
    healthUrl: health.url,
    tick,
    stop() {
      stopped ??= (async () => {
        clearInterval(ticker);
        await consumer.stop();
        await ticking;
        await receiver.stop();
        await health.close();
        await nc.drain();
      })();
      return stopped;
    },
  };
}

runIfMain(import.meta.url, SERVICE, () => main());
