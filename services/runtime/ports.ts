/**
 * The port types every worker shares, defined once: a structured log and the message publisher.
 * Pure types (no SDK import), so service.ts files and their fakes use them; the adapters are pino
 * (logger.ts) and JetStream (publish.ts).
 */
import type { PayloadOf } from "../../schemas/codec.js";
import type { Subject } from "../../schemas/subjects.js";

/** The slice of a pino logger the services use. */
export interface Log {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What a caller gives for one message; the publisher fills `type`, `v`, `occurredAt` and (unless given) `id`. */
export interface Outgoing<S extends Subject> {
  data: PayloadOf<S>;
  releaseId?: string;
  causationId?: string;
  /** A deterministic id makes a repeated publish a server-side duplicate (e.g. `${releaseId}:${seq}`). */
  id?: string;
}

/** The server's answer to one publish. */
export interface Published {
  /** The envelope id (also the JetStream msgID). */
  id: string;
  /** The stream sequence. */
  seq: number;
  /** True when the server already had a message with this id (within its duplicate window) and dropped this one. */
  duplicate: boolean;
}

/** Publishes typed messages. */
export interface Publisher {
  /** Build, validate (throws InvalidMessageError) and publish; resolves on the stream's ack. */
  publish<S extends Subject>(subject: S, msg: Outgoing<S>): Promise<Published>;
}

/** A log that drops everything (a service given no log; tests). */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
