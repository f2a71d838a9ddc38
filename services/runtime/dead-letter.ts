/** Dead letters: the original bytes and headers, plus why, where and by whom it was refused. */
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { headers as newHeaders, type MsgHdrs } from "@nats-io/transport-node";
import { Header, deadLetterSubject, type ConsumerName } from "../../schemas/subjects.js";

/** Why a message was refused. */
export interface DeadReason {
  /** Human-readable cause (the error message). */
  reason: string;
  /** A `SISKIN_ERR_*` code. */
  code: string;
}

const MAX_HEADER_VALUE = 1024;

/** A header value can hold no CR/LF; long reasons are cut. */
export function headerSafe(text: string): string {
  const one = text.replace(/[\r\n]+/g, " ").trim();
  return one.length > MAX_HEADER_VALUE ? `${one.slice(0, MAX_HEADER_VALUE - 1)}…` : one;
}

/**
 * JetStream publish-control headers of the original would make the DLQ publish fail or be deduped
 * against the original (`Nats-Expected-*`, `Nats-Msg-Id`, `Nats-Rollup`, `Nats-TTL`); they are not copied.
 */
function isPublishControl(name: string): boolean {
  const n = name.toLowerCase();
  return n === "nats-msg-id" || n.startsWith("nats-expected-") || n === "nats-rollup" || n === "nats-ttl";
}

/** The headers of the dead letter of a message that arrived on `subject` with `original` headers. */
export function deadLetterHeaders(original: MsgHdrs | undefined, subject: string, consumer: ConsumerName, why: DeadReason): MsgHdrs {
  const h = newHeaders();
  if (original !== undefined) {
    for (const k of original.keys()) {
      if (isPublishControl(k)) continue;
      for (const v of original.values(k)) h.append(k, v);
    }
    const id = original.get(Header.msgId);
    if (id !== "") h.set(Header.deadMsgId, id);
  }
  h.set(Header.deadReason, headerSafe(why.reason));
  h.set(Header.deadSubject, subject);
  h.set(Header.deadCode, why.code);
  h.set(Header.deadConsumer, consumer);
  return h;
}

/** The dead letter's own msgID: the same failure dead-lettered twice (a crash before term) is stored once. */
export function deadLetterMsgId(consumer: ConsumerName, m: Pick<JsMsg, "seq" | "info">): string {
  return `${consumer}:${m.info.stream}:${m.seq}`;
}

/** Publish the dead letter of `m` to `dlq.<consumer>` with the payload bytes unchanged. */
export async function publishDeadLetter(js: JetStreamClient, consumer: ConsumerName, m: JsMsg, why: DeadReason): Promise<void> {
  await js.publish(deadLetterSubject(consumer), m.data, {
    headers: deadLetterHeaders(m.headers, m.subject, consumer, why),
    msgID: deadLetterMsgId(consumer, m),
  });
}
