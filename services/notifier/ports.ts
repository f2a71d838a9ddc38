/** What the notifier needs from the world. */

/** A Slack Block Kit block (JSON). */
export type Block = Record<string, unknown>;

/** Slack messages. */
export interface Chat {
  /** Post to a channel (a reply when `threadTs` is set); resolves with the message ts. */
  post(m: { channel: string; threadTs?: string; text: string; blocks?: Block[] }): Promise<{ channel: string; ts: string }>;
  /** Replace a message's text and blocks (chat.update). */
  update(m: { channel: string; ts: string; text: string; blocks?: Block[] }): Promise<void>;
}

/** Generic JSON webhooks. */
export interface Webhooks {
  /** POST `body` as JSON to `url`; throws on a non-2xx answer or a network failure. */
  post(url: string, body: unknown): Promise<void>;
}

/**
 * JSON values in the KV bucket `Bucket.threads` (the runtime's JsonKv has this shape).
 * `create` and `update` throw a SiskinError with code SISKIN_ERR_CONFLICT when they lose a race.
 */
export interface KvStore {
  get(key: string): Promise<{ value: unknown; revision: number } | null>;
  create(key: string, value: unknown): Promise<number>;
  update(key: string, value: unknown, revision: number): Promise<number>;
}
