/** Publishing Siskin messages to JetStream: envelope built and validated, msgID = envelope id. */
import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { encode, message } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import type { Publisher } from "./ports.js";

export type { Outgoing, Published, Publisher } from "./ports.js";

/** Options of {@link createPublisher}. */
export interface PublisherOptions {
  /** The publishing component, used in generated ids and error messages. */
  source: string;
  /** The clock for `occurredAt` (tests pass a fixed one). */
  now?: () => Date;
  /** The id generator for messages without an id (default `<source>-<uuid>`). */
  newId?: () => string;
}

/** Create a publisher on `nc`. */
export function createPublisher(nc: NatsConnection, opts: PublisherOptions): Publisher {
  const js = jetstream(nc);
  const now = opts.now ?? (() => new Date());
  const newId = opts.newId ?? (() => `${opts.source}-${randomUUID()}`);
  return {
    async publish(subject, msg) {
      const env = message(subject, {
        id: msg.id ?? newId(),
        occurredAt: now().toISOString(),
        ...(msg.releaseId === undefined ? {} : { releaseId: msg.releaseId }),
        ...(msg.causationId === undefined ? {} : { causationId: msg.causationId }),
        data: msg.data,
      });
      try {
        const ack = await js.publish(subject, encode(env), { msgID: env.id });
        return { id: env.id, seq: ack.seq, duplicate: ack.duplicate };
      } catch (err) {
        throw new SiskinError("SISKIN_ERR_UNAVAILABLE", `${opts.source}: publish of ${subject} (id ${env.id}) to JetStream failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
