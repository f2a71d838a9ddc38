/** The envelope every NATS message carries. */
import { Type, type Static, type TSchema } from "typebox";
import { ReleaseId, Strict, Timestamp } from "./common.js";

/**
 * Envelope fields. `id` is also the JetStream msgID, so the server drops duplicates;
 * `type` is the subject; `v` the payload version (a breaking change means a new `v`).
 */
export function Envelope<T extends TSchema>(data: T) {
  return Strict({
    /** Unique id; used as the JetStream `Nats-Msg-Id`. */
    id: Type.String({ minLength: 1, maxLength: 300 }),
    /** The subject this message belongs to. */
    type: Type.String({ minLength: 1, maxLength: 100 }),
    /** Payload schema version. */
    v: Type.Integer({ minimum: 1 }),
    /** When the fact happened or the command was issued. */
    occurredAt: Timestamp,
    /** The release it concerns; absent for facts not yet tied to one (a VMI event, an alert). */
    releaseId: Type.Optional(ReleaseId),
    /** The id of the message that caused this one. */
    causationId: Type.Optional(Type.String({ maxLength: 300 })),
    /** The payload. */
    data,
  });
}

/** An envelope with an unknown payload (before the catalog picks the schema). */
export const AnyEnvelope = Envelope(Type.Unknown());
export type AnyEnvelope = Static<typeof AnyEnvelope>;

/** An envelope whose payload is `D`. */
export type EnvelopeOf<D> = Omit<AnyEnvelope, "data"> & { data: D };
