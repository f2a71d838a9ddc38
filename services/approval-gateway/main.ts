/**
 * Composition root of approval-gateway: KV `threads`, the Bolt app on its interactivity listener,
 * the consumer `approvalGateway` and the expiry ticker, started by the runtime's startWorker.
 */
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import { Bucket, Command } from "../../schemas/subjects.js";
import { createPublisher, openKv, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { load } from "./config.js";
import { createFastifyReceiver } from "./receiver.js";
import { kvReplayGuard } from "./replay-guard.js";
import { createService } from "./service.js";
import { chatOf, createBoltApp, directoryOf, registerApprovalActions } from "./slack.js";

const SERVICE = "approval-gateway";

/** A running approval-gateway. */
export type RunningApprovalGateway = RunningWorker<{
  /** Where Slack POSTs interactions (`http://host:port/slack/events`). */
  interactivityUrl: string;
  /** Run one expiry pass now (the ticker does this every `tickSeconds`). */
  tick(now?: number): Promise<{ expired: number; finished: number }>;
}>;

/** Start approval-gateway; resolves once the interactivity listener is up and the consumer runs. */
export function main(env: Env = process.env): Promise<RunningApprovalGateway> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, logger, consume, onStop }) {
      const kv = await openKv(nc, Bucket.threads);
      const replayGuard = kvReplayGuard(kv);
      const receiver = createFastifyReceiver({
        signingSecret: cfg.slack.signingSecret,
        replayGuard,
        path: cfg.interactivity.path,
        processBeforeResponse: cfg.interactivity.processBeforeResponse,
        onError: (err, what) => logger.error({ err }, what),
      });
      const app = createBoltApp({ botToken: cfg.slack.botToken, ...(cfg.slack.apiUrl === undefined ? {} : { slackApiUrl: cfg.slack.apiUrl }), receiver, logger });
      const service = createService({
        chat: chatOf(app.client),
        directory: directoryOf(app.client),
        kv,
        publisher: createPublisher(nc, { source: SERVICE }),
        clock: Date.now,
        defaultChannel: cfg.slack.defaultChannel,
        onError: (err, what) => logger.warn({ err }, what),
      });
      registerApprovalActions(app, service);
      await app.init();
      await receiver.start(cfg.interactivity.port, cfg.interactivity.host);
      onStop(() => receiver.stop());

      await consume("approvalGateway", async (msg) => {
        if (msg.type === Command.approvalRequest) return service.request(msg as MessageOf<typeof Command.approvalRequest>);
        if (msg.type === Command.approvalCancel) return service.cancel(msg as MessageOf<typeof Command.approvalCancel>);
        throw new SiskinError("SISKIN_ERR_UNKNOWN_SUBJECT", `approval-gateway does not handle ${msg.type}`);
      });

      let ticking: Promise<unknown> | undefined;
      const tick = async (now = Date.now()) => {
        await replayGuard.prune(Math.floor(now / 1000)).catch((err: unknown) => logger.warn({ err }, "pruning Slack replay guard keys failed"));
        return service.tick(now);
      };
      const ticker = setInterval(() => {
        ticking ??= tick()
          .catch((err: unknown) => logger.error({ err }, "approval expiry tick failed"))
          .finally(() => (ticking = undefined));
      }, cfg.tickSeconds * 1000);
      ticker.unref();
      onStop(async () => {
        clearInterval(ticker);
        await ticking;
      });
      return { interactivityUrl: `${receiver.url()}${cfg.interactivity.path}`, tick };
    },
    describe: (w) => ({ interactivityUrl: w.interactivityUrl }),
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
