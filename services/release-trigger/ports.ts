/** What release-trigger needs from the world. */
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import type { PayloadOf } from "../../schemas/codec.js";
import type { Subject } from "../../schemas/subjects.js";

/** A VMRollout as release-trigger sees it. */
export interface RolloutRecord {
  namespace: string;
  name: string;
  spec: VMRolloutSpec;
  /** metadata.generation. */
  generation?: number;
}

/** The VMRollouts in the cluster. */
export interface Rollouts {
  /**
   * Every VMRollout, in every namespace, whose `spec.source.repository` equals `fullName`
   * (`owner/name`) ignoring case. An API failure throws.
   */
  findByRepository(fullName: string): Promise<RolloutRecord[]>;
  /** One VMRollout, or null when it does not exist. */
  get(namespace: string, name: string): Promise<RolloutRecord | null>;
}

/** Result of a publish: `duplicate` when JetStream dropped it as a repeat of the same msg id. */
export interface PublishAck {
  duplicate: boolean;
}

/** What a message is made of; the publisher fills `type`, `v` and `occurredAt`. */
export interface Outgoing<S extends Subject> {
  /** Envelope id and JetStream msg id: a repeat within the stream's duplicate window is dropped. */
  id: string;
  data: PayloadOf<S>;
  releaseId?: string;
  causationId?: string;
}

/** Publishes validated messages to JetStream (the runtime's `createPublisher` has this shape). */
export interface Publisher {
  publish<S extends Subject>(subject: S, msg: Outgoing<S>): Promise<PublishAck>;
}
