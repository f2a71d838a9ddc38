/** What approval-gateway needs from the world. */

/** A Slack Block Kit block (JSON). */
export type Block = Record<string, unknown>;

/** Slack messages. */
export interface Chat {
  /** Post to a channel (a reply when `threadTs` is set); resolves with the message ts. */
  post(m: { channel: string; threadTs?: string; text: string; blocks: Block[] }): Promise<{ channel: string; ts: string }>;
  /** Replace a message's text and blocks (chat.update). */
  update(m: { channel: string; ts: string; text: string; blocks: Block[] }): Promise<void>;
}

/** Who belongs to a Slack user group. */
export interface Directory {
  /** Member user ids of a user group (`S…`), via usergroups.users.list. Throws when Slack cannot say. */
  groupMembers(groupId: string): Promise<string[]>;
}

/**
 * JSON values in the KV bucket `Bucket.threads` (the runtime's JsonKv has this shape): approval
 * records, the notifier's release threads (read), and the Slack replay guard's sightings.
 * `create` and `update` throw a SiskinError with code SISKIN_ERR_CONFLICT when they lose a race.
 */
export interface KvStore {
  get(key: string): Promise<{ value: unknown; revision: number } | null>;
  create(key: string, value: unknown): Promise<number>;
  update(key: string, value: unknown, revision: number): Promise<number>;
  /** Remove a key (the replay guard prunes what left Slack's window). */
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}


export type { Outgoing, Publisher } from "../runtime/ports.js";
