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

/** Bytes kept free below max_payload for the protocol line and header framing. */
const FRAMING_MARGIN = 1024;

function headerBytes(h: MsgHdrs): number {
  let n = "NATS/1.0\r\n\r\n".length;
  for (const k of h.keys()) for (const v of h.values(k)) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 4;
  return n;
}

/**
 * The payload of a dead letter: the original bytes, or, when they and the headers would not fit in
 * `maxPayload`, a truncated copy (the header {@link Header.deadTruncated} then says the original
 * size). A dead letter must always be publishable; the stream sequence in its headers finds the rest.
 */
export function deadLetterPayload(data: Uint8Array, h: MsgHdrs, maxPayload: number): Uint8Array {
  const room = maxPayload - headerBytes(h) - FRAMING_MARGIN - Buffer.byteLength(Header.deadTruncated) - 16;
  if (data.length <= room) return data;
  h.set(Header.deadTruncated, String(data.length));
  return data.subarray(0, Math.max(0, room));
}

/** The dead letter's own msgID: the same failure dead-lettered twice (a crash before term) is stored once. */
export function deadLetterMsgId(consumer: ConsumerName, m: Pick<JsMsg, "seq" | "info">): string {
  return `${consumer}:${m.info.stream}:${m.seq}`;
}

/**
 * Publish the dead letter of `m` to `dlq.<consumer>`: the payload bytes unchanged when they fit in
 * `maxPayload` with the headers, else a truncated copy; always the original's stream and sequence.
 */
export async function publishDeadLetter(js: JetStreamClient, consumer: ConsumerName, m: JsMsg, why: DeadReason, maxPayload = 1024 * 1024): Promise<void> {
  const h = deadLetterHeaders(m.headers, m.subject, consumer, why);
  h.set(Header.deadStream, m.info.stream);
  h.set(Header.deadStreamSeq, String(m.seq));
  await js.publish(deadLetterSubject(consumer), deadLetterPayload(m.data, h, maxPayload), { headers: h, msgID: deadLetterMsgId(consumer, m) });
}
