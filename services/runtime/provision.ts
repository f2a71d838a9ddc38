/**
 * Create or update Siskin's JetStream streams, durable consumers and KV buckets from the tables
 * in schemas/subjects.ts. Idempotent: a second run finds everything as wanted and changes nothing.
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Type, type Static } from "typebox";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { SiskinError } from "../../schemas/errors.js";
import { Bucket, Consumer, Stream, type BucketName, type ConsumerName } from "../../schemas/subjects.js";
import { consumerFilterConfig, workQueueOverlaps } from "./consumer-filter.js";

/** Options of {@link provision}. */
export interface ProvisionOptions {
  /** Stream and bucket replicas (1 on a single server; 3 on a cluster). */
  replicas?: number;
  /** Age after which stream messages are dropped (default 7 days; 0 keeps them). */
  maxAgeMs?: number;
  /** Byte cap per stream (default -1, none). */
  maxBytes?: number;
  /** Deliveries before the server gives up on a message (default {@link DEFAULT_MAX_DELIVER}). */
  maxDeliver?: number;
  /** How long a delivered message may stay unacked before redelivery (default 30 s). */
  ackWaitMs?: number;
  /**
   * How long JetStream remembers msgIDs to drop repeats (default 10 min, the server's is 2). Repeated
   * commands after a crash are dropped within it; handlers are idempotent beyond it.
   */
  duplicateWindowMs?: number;
}

/**
 * What an operator sets for the JetStream objects (`SISKIN_JETSTREAM_REPLICAS`, `..._ACK_WAIT_MS`,
 * `..._MAX_DELIVER`, `..._DUPLICATE_WINDOW_MS`), read by `siskin provision`: 1 replica on one server,
 * 3 on a cluster (docs/install.md).
 */
export const JetStreamConfig = Type.Object(
  {
    /** Replicas of every stream and KV bucket: 1, 3 or 5. */
    replicas: Type.Union([Type.Literal(1), Type.Literal(3), Type.Literal(5)], { default: 1 }),
    /** How long a delivered command or event may stay unacked before JetStream redelivers it (ms). */
    ackWaitMs: Type.Optional(Type.Integer({ minimum: 1000 })),
    /** Deliveries before the consume loop dead-letters a message. */
    maxDeliver: Type.Optional(Type.Integer({ minimum: 2 })),
    /** msgID de-duplication window of the streams (ms). */
    duplicateWindowMs: Type.Optional(Type.Integer({ minimum: 1000 })),
  },
  { additionalProperties: false },
);
export type JetStreamConfig = Static<typeof JetStreamConfig>;

/** The provision options of a {@link JetStreamConfig}. */
export function provisionOptionsOf(cfg: JetStreamConfig): ProvisionOptions {
  return {
    replicas: cfg.replicas,
    ...(cfg.ackWaitMs === undefined ? {} : { ackWaitMs: cfg.ackWaitMs }),
    ...(cfg.maxDeliver === undefined ? {} : { maxDeliver: cfg.maxDeliver }),
    ...(cfg.duplicateWindowMs === undefined ? {} : { duplicateWindowMs: cfg.duplicateWindowMs }),
  };
}

/** Default msgID de-duplication window of the streams. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 10 * 60_000;

/** Deliveries per message; the consume loop dead-letters on the last one. */
export const DEFAULT_MAX_DELIVER = 10;
const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** KV history per bucket: releases keep 5 revisions for audit and debugging. */
export const BucketHistory: Record<BucketName, number> = {
  [Bucket.releases]: 5,
  [Bucket.rollouts]: 1,
  [Bucket.analyses]: 1,
  [Bucket.threads]: 1,
  [Bucket.watchCursors]: 1,
};

/** What a run did to each object. */
export type ProvisionAction = "created" | "updated" | "unchanged";
/** The report of a {@link provision} run, by object name. */
export interface ProvisionReport {
  streams: Record<string, ProvisionAction>;
  consumers: Record<string, ProvisionAction>;
  buckets: Record<string, ProvisionAction>;
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/** True when every field of `want` equals the same field of `have` (arrays compared by value). */
function matches(want: object, have: object): boolean {
  return Object.entries(want).every(([k, v]) => JSON.stringify((have as Record<string, unknown>)[k]) === JSON.stringify(v));
}

async function ensureStream(jsm: JetStreamManager, want: Partial<StreamConfig> & { name: string }): Promise<ProvisionAction> {
  try {
    const info = await jsm.streams.info(want.name);
    if (matches(want, info.config)) return "unchanged";
    await jsm.streams.update(want.name, want);
    return "updated";
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) {
      throw new SiskinError("SISKIN_ERR_UNAVAILABLE", `provision: stream ${want.name} could not be created or updated: ${(err as Error).message}`, { cause: err });
    }
  }
  await jsm.streams.add(want);
  return "created";
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, want: Partial<ConsumerConfig> & { durable_name: string }): Promise<ProvisionAction> {
  const name = want.durable_name;
  let exists = true;
  try {
    const info = await jsm.consumers.info(stream, name);
    if (matches(want, info.config)) return "unchanged";
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    exists = false;
  }
  try {
    if (exists) await jsm.consumers.update(stream, name, want);
    else await jsm.consumers.add(stream, want);
    return exists ? "updated" : "created";
  } catch (err) {
    throw new SiskinError(
      "SISKIN_ERR_INTERNAL",
      `provision: consumer ${name} on stream ${stream} could not be ${exists ? "updated" : "created"}: ${(err as Error).message}` +
        (exists ? `; if a field cannot change, delete the consumer (nats consumer rm ${stream} ${name}) and provision again` : ""),
      { cause: err },
    );
  }
}

async function ensureBucket(nc: NatsConnection, jsm: JetStreamManager, bucket: BucketName, replicas: number): Promise<ProvisionAction> {
  const history = BucketHistory[bucket];
  const streamName = `KV_${bucket}`;
  try {
    const info = await jsm.streams.info(streamName);
    if (info.config.max_msgs_per_subject === history && info.config.num_replicas === replicas) return "unchanged";
    await jsm.streams.update(streamName, { ...info.config, max_msgs_per_subject: history, num_replicas: replicas });
    return "updated";
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
  }
  await new Kvm(nc).create(bucket, { history, replicas });
  return "created";
}

/** The stream configs provision wants, by stream name. */
export function streamConfigs(opts: ProvisionOptions = {}): Array<Partial<StreamConfig> & { name: string }> {
  return Object.values(Stream).map((s) => ({
    name: s.name,
    subjects: [...s.subjects],
    retention: s.retention === "workqueue" ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: opts.replicas ?? 1,
    max_age: nanos(opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS),
    max_bytes: opts.maxBytes ?? -1,
    duplicate_window: nanos(opts.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
  }));
}

/** The durable consumer config of `consumer` for a server of `serverVersion`. */
export function consumerConfig(consumer: ConsumerName, serverVersion: string, opts: ProvisionOptions = {}): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_deliver: opts.maxDeliver ?? DEFAULT_MAX_DELIVER,
    ack_wait: nanos(opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
    ...consumerFilterConfig(consumer, serverVersion),
  };
}

/** Create or update every stream, durable consumer and KV bucket; returns what changed. */
export async function provision(nc: NatsConnection, opts: ProvisionOptions = {}): Promise<ProvisionReport> {
  const version = nc.info?.version ?? "0.0.0";
  const overlaps = workQueueOverlaps(version);
  if (overlaps.length > 0) {
    const list = overlaps.map(([a, b, fa, fb]) => `${a} (${fa}) and ${b} (${fb})`).join("; ");
    throw new SiskinError("SISKIN_ERR_INTERNAL", `provision: work-queue consumers overlap on nats-server ${version}: ${list}; fix Consumer in schemas/subjects.ts`);
  }
  const jsm = await jetstreamManager(nc);
  const report: ProvisionReport = { streams: {}, consumers: {}, buckets: {} };
  for (const s of streamConfigs(opts)) report.streams[s.name] = await ensureStream(jsm, s);
  for (const name of Object.keys(Consumer) as ConsumerName[]) {
    report.consumers[name] = await ensureConsumer(jsm, Consumer[name].stream, consumerConfig(name, version, opts));
  }
  for (const b of Object.values(Bucket)) report.buckets[b] = await ensureBucket(nc, jsm, b, opts.replicas ?? 1);
  return report;
}
