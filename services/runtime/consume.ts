/**
 * The consume loop of a durable consumer and its ack policy:
 * handler resolves → ack; retryable error → nak(backoff[deliveryCount-1]); non-retryable error,
 * last delivery, or an undecodable message → dead letter (dlq.<consumer>) then term().
 */
import { jetstream, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { decode, InvalidMessageError, type MessageOf } from "../../schemas/codec.js";
import { isRetryable, SiskinError } from "../../schemas/errors.js";
import { Consumer, type ConsumerName, type Subject } from "../../schemas/subjects.js";
import { consumerOwns, isWorkQueueConsumer } from "./consumer-filter.js";
import { consumerMetrics } from "./consumer-metrics.js";
import { publishDeadLetter, type DeadReason } from "./dead-letter.js";
import { LogField } from "./logger.js";
import { DEFAULT_MAX_DELIVER } from "./provision.js";

/** What a handler learns about the delivery besides the message. */
export interface DeliveryContext {
  /** The subject the message arrived on. */
  subject: string;
  /** 1 on the first delivery, then 2, 3... */
  deliveryCount: number;
  headers?: MsgHdrs;
}

/** Handles one decoded message; resolve to ack, throw to retry or dead-letter (see the module doc). */
export type MessageHandler = (msg: MessageOf<Subject>, ctx: DeliveryContext) => Promise<void>;

/** Options of {@link startConsumer}. */
export interface ConsumerOptions {
  logger: Logger;
  /** Delay before delivery n+1 after a retryable failure of delivery n; the last entry repeats. */
  backoffMs?: number[];
  /** Deliveries before a retryable failure is dead-lettered (capped by the consumer's `max_deliver`). */
  maxDeliver?: number;
  /** Aborting stops the loop, as `stop()` does. */
  signal?: AbortSignal;
  /** Where the counters live (default prom-client's global registry). */
  registry?: Registry;
  /** Messages pulled ahead of the handler (default 10); small, so replicas share the work. */
  batch?: number;
}

/** A running consume loop. */
export interface RunningConsumer {
  /** Stop pulling, nak what was pulled but not handled (another replica takes it at once), wait for the handler in flight. */
  stop(): Promise<void>;
  /** False once stopped or broken; feed it to `/readyz`. */
  running(): boolean;
}

/** Default retry delays: 1 s, 5 s, 15 s, 30 s, then every 60 s. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 5_000, 15_000, 30_000, 60_000];

/** Start handling the durable consumer `consumer` (created by provision). */
export async function startConsumer(
  nc: NatsConnection,
  consumer: ConsumerName,
  handler: MessageHandler,
  opts: ConsumerOptions,
): Promise<RunningConsumer> {
  const stream = Consumer[consumer].stream;
  const js = jetstream(nc);
  const metrics = consumerMetrics(opts.registry);
  const backoff = opts.backoffMs !== undefined && opts.backoffMs.length > 0 ? opts.backoffMs : DEFAULT_BACKOFF_MS;
  const log = opts.logger.child({ [LogField.consumer]: consumer });
  const workQueue = isWorkQueueConsumer(consumer);

  let c;
  try {
    c = await js.consumers.get(stream, consumer);
  } catch (err) {
    throw new SiskinError("SISKIN_ERR_NOT_FOUND", `consumer ${consumer} on stream ${stream} is not available (${(err as Error).message}); run provision first`, { cause: err });
  }
  const info = await c.info(true);
  const serverMax = info.config.max_deliver ?? -1;
  const wanted = opts.maxDeliver ?? DEFAULT_MAX_DELIVER;
  // The server stops delivering at its max_deliver; the last delivery must be the one that dead-letters.
  const maxDeliver = serverMax > 0 ? Math.min(wanted, serverMax) : wanted;
  const ackWaitMs = Math.max(1, Math.floor((info.config.ack_wait ?? 30e9) / 1e6));

  const deadLetter = async (m: JsMsg, why: DeadReason, l: Logger) => {
    try {
      await publishDeadLetter(js, consumer, m, why, nc.info?.max_payload);
    } catch (err) {
      if (m.info.deliveryCount < maxDeliver) {
        // Not terminated yet: the message stays in the stream and comes back, rather than being lost.
        l.error({ err }, "dead letter could not be published; nak for a retry");
        m.nak(backoff[backoff.length - 1]);
        return;
      }
      // The last delivery: the server would drop it silently after this, so terminate it here with
      // a trace (this log line names stream and sequence) and a counter to alert on.
      m.term();
      metrics.deadLetterFailed.inc({ consumer, subject: m.subject, code: why.code });
      l.error({ err, code: why.code, reason: why.reason, stream: m.info.stream, streamSeq: m.seq }, "dead letter could not be published on the last delivery; terminated");
      return;
    }
    // No reason text: nats-server 2.9 ignores "+TERM <reason>" (2.10+ syntax) and would redeliver.
    m.term();
    metrics.deadLettered.inc({ consumer, subject: m.subject, code: why.code });
    l.error({ code: why.code, reason: why.reason }, "dead-lettered");
  };

  const handleOne = async (m: JsMsg) => {
    const subject = m.subject;
    const deliveryCount = m.info.deliveryCount;
    let l = log.child({ [LogField.subject]: subject, seq: m.info.streamSequence, deliveryCount });
    metrics.handled.inc({ consumer, subject });
    if (!consumerOwns(consumer, subject)) {
      // On nats-server 2.9 the filter is a wildcard cover (docs/decisions/0001).
      if (workQueue) {
        await deadLetter(m, { code: "SISKIN_ERR_UNKNOWN_SUBJECT", reason: `consumer ${consumer} does not handle ${subject}; add it to Consumer in schemas/subjects.ts` }, l);
      } else {
        m.ack();
        metrics.acked.inc({ consumer, subject });
        l.debug("skipped: not a subject of this consumer");
      }
      return;
    }
    let msg: MessageOf<Subject>;
    try {
      msg = decode(subject, m.data);
    } catch (err) {
      const code = err instanceof InvalidMessageError ? err.code : "SISKIN_ERR_INVALID_MESSAGE";
      await deadLetter(m, { code, reason: (err as Error).message }, l);
      return;
    }
    if (msg.releaseId !== undefined) l = l.child({ [LogField.releaseId]: msg.releaseId });
    const endTimer = metrics.duration.startTimer({ consumer, subject });
    // A long handler tells the server it is alive, so the message is not redelivered to another replica.
    const keepAlive = setInterval(() => m.working(), Math.max(50, Math.floor(ackWaitMs / 3)));
    try {
      await handler(msg, { subject, deliveryCount, ...(m.headers === undefined ? {} : { headers: m.headers }) });
      clearInterval(keepAlive);
      m.ack();
      metrics.acked.inc({ consumer, subject });
      l.debug("handled");
    } catch (err) {
      clearInterval(keepAlive);
      const e = err instanceof Error ? err : new Error(String(err));
      const code = err instanceof SiskinError ? err.code : "SISKIN_ERR_INTERNAL";
      if (isRetryable(err) && deliveryCount < maxDeliver) {
        const delay = backoff[Math.min(deliveryCount - 1, backoff.length - 1)] ?? 0;
        m.nak(delay);
        metrics.nacked.inc({ consumer, subject });
        l.warn({ err: e, code, retryInMs: delay }, "handler failed; will retry");
      } else {
        const reason = isRetryable(err) ? `${e.message} (gave up after ${deliveryCount} deliveries)` : e.message;
        await deadLetter(m, { code, reason }, l);
      }
    } finally {
      endTimer();
    }
  };

  let stopping = false;
  let broken = false;
  const messages: ConsumerMessages = await c.consume({ max_messages: opts.batch ?? 10 });
  const loop = (async () => {
    try {
      for await (const m of messages) {
        if (stopping) {
          m.nak();
          continue;
        }
        await handleOne(m);
      }
    } catch (err) {
      broken = true;
      log.error({ err }, "consume loop ended with an error");
    }
  })();
  log.info({ stream, maxDeliver }, "consuming");

  const stop = async () => {
    if (!stopping) {
      stopping = true;
      await messages.close();
    }
    await loop;
  };
  opts.signal?.addEventListener("abort", () => void stop(), { once: true });
  if (opts.signal?.aborted === true) await stop();
  return { stop, running: () => !stopping && !broken };
}
