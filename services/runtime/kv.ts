/** JSON values in a JetStream KV bucket, with revision-checked writes. */
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from "@nats-io/jetstream";
import { Kvm, KvWatchInclude } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { SiskinError } from "../../schemas/errors.js";
import type { BucketName } from "../../schemas/subjects.js";

/**
 * A write lost a race: the key's revision is not the one the writer read (or the key exists on
 * create). Retryable: reload, re-apply, write again.
 */
export class RevisionConflictError extends SiskinError {
  readonly bucket: string;
  readonly key: string;
  /** The revision the writer expected (0 for create). */
  readonly expectedRevision: number;
  /** The key's revision on the server, when the server said it. */
  readonly currentRevision: number | undefined;
  constructor(bucket: string, key: string, expectedRevision: number, cause?: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const m = /wrong last sequence: (\d+)/.exec(detail);
    const current = m === null ? undefined : Number(m[1]);
    const now = current === undefined ? `server said: ${detail}` : `it is at revision ${current}`;
    super(
      "SISKIN_ERR_CONFLICT",
      expectedRevision === 0
        ? `kv ${bucket}: create of key "${key}" failed, the key already exists (${now}); read it and update with its revision`
        : `kv ${bucket}: update of key "${key}" expected revision ${expectedRevision}, but ${now}; reload and retry`,
      { cause },
    );
    this.currentRevision = current;
    this.name = "RevisionConflictError";
    this.bucket = bucket;
    this.key = key;
    this.expectedRevision = expectedRevision;
  }
}

/** An entry read from a bucket. */
export interface KvEntry {
  /** The parsed JSON value. */
  value: unknown;
  /** The entry's revision (stream sequence); pass it to `update`. */
  revision: number;
}

/** A KV bucket of JSON values. */
export interface JsonKv {
  /** The current value, or null when absent or deleted. */
  get(key: string): Promise<KvEntry | null>;
  /** Write a new key; throws RevisionConflictError when it exists. Returns the revision. */
  create(key: string, value: unknown): Promise<number>;
  /** Write when the key is still at `revision`; throws RevisionConflictError otherwise. */
  update(key: string, value: unknown, revision: number): Promise<number>;
  /** Write unconditionally. */
  put(key: string, value: unknown): Promise<number>;
  /** Delete (a tombstone; history is kept). */
  delete(key: string): Promise<void>;
  /** Every live key. */
  keys(): Promise<string[]>;
  /**
   * Every live key with its value and revision, in one batched read (a watch of the last values
   * that stops once caught up): what `keys()` plus one `get` per key returns, without n round trips.
   */
  entries(): Promise<Array<KvEntry & { key: string }>>;
}

/** The longest {@link JsonKv.entries} waits for a bucket's last values. */
export const ENTRIES_TIMEOUT_MS = 30_000;

const CONFLICT_CODES: ReadonlySet<number> = new Set([JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown]);

/** JetStream's answer to a KV write at a stale revision; translated into RevisionConflictError. */
function isWrongLastSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && CONFLICT_CODES.has(err.code);
}

function encode(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), "utf8");
}

/** Open an existing bucket (made by provision); throws SISKIN_ERR_NOT_FOUND naming the fix when it is missing. */
export async function openKv(nc: NatsConnection, bucket: BucketName): Promise<JsonKv> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(`KV_${bucket}`);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
      throw new SiskinError("SISKIN_ERR_NOT_FOUND", `kv bucket ${bucket} does not exist; run provision (siskin provision) first`, { cause: err });
    }
    throw err;
  }
  const kv = await new Kvm(nc).open(bucket);
  return {
    async get(key) {
      const e = await kv.get(key);
      if (e === null || e.operation !== "PUT") return null;
      try {
        return { value: JSON.parse(e.string()) as unknown, revision: e.revision };
      } catch (err) {
        throw new SiskinError("SISKIN_ERR_INTERNAL", `kv ${bucket}: key "${key}" at revision ${e.revision} holds no JSON`, { cause: err });
      }
    },
    async create(key, value) {
      try {
        return await kv.create(key, encode(value));
      } catch (err) {
        if (isWrongLastSequence(err)) throw new RevisionConflictError(bucket, key, 0, err);
        throw err;
      }
    },
    async update(key, value, revision) {
      try {
        return await kv.update(key, encode(value), revision);
      } catch (err) {
        if (isWrongLastSequence(err)) throw new RevisionConflictError(bucket, key, revision, err);
        throw err;
      }
    },
    put: (key, value) => kv.put(key, encode(value)),
    async delete(key) {
      await kv.delete(key);
    },
    async keys() {
      const out: string[] = [];
      for await (const k of await kv.keys()) out.push(k);
      return out;
    },
    async entries() {
      // An empty bucket's watch would never yield, so it could not tell it was caught up.
      if ((await kv.status()).values === 0) return [];
      const out = new Map<string, KvEntry & { key: string }>();
      const iter = await kv.watch({ include: KvWatchInclude.LastValue });
      let caughtUp = false;
      const timer = setTimeout(() => iter.stop(), ENTRIES_TIMEOUT_MS);
      try {
        for await (const e of iter) {
          if (e.operation !== "PUT") out.delete(e.key);
          else {
            try {
              out.set(e.key, { key: e.key, value: JSON.parse(e.string()) as unknown, revision: e.revision });
            } catch (err) {
              throw new SiskinError("SISKIN_ERR_INTERNAL", `kv ${bucket}: key "${e.key}" at revision ${e.revision} holds no JSON`, { cause: err });
            }
          }
          // delta: messages still pending after this one; 0 = every key's last value was seen.
          if (e.delta === 0) {
            caughtUp = true;
            break;
          }
        }
      } finally {
        clearTimeout(timer);
        iter.stop();
      }
      if (!caughtUp) {
        throw new SiskinError("SISKIN_ERR_UNAVAILABLE", `kv ${bucket}: reading every entry did not finish within ${ENTRIES_TIMEOUT_MS} ms; is JetStream reachable?`);
      }
      return [...out.values()];
    },
  };
}
