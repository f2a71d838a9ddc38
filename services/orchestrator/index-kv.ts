/**
 * Adapter: the {@link RolloutIndexStore} port over the JSON KV bucket `Bucket.rollouts`, and the
 * revision-checked delete the runtime's JsonKv lacks (nats.js `delete(key, {previousSeq})`).
 */
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { releaseIdFromKey, rolloutKey, type BucketName } from "../../schemas/subjects.js";
import { RevisionConflictError, type JsonKv } from "../runtime/kv.js";
import type { IndexValue, RolloutIndexStore, Versioned } from "./ports.js";
import type { RolloutSlot } from "./event-routing.js";

/** Deletes `key` when it is still at `revision`; throws RevisionConflictError otherwise. */
export type DeleteAt = (key: string, revision: number) => Promise<void>;

/** A revision-checked delete on the bucket `bucket` (opened on `nc`). */
export async function kvDeleteAt(nc: NatsConnection, bucket: BucketName): Promise<DeleteAt> {
  const kv = await new Kvm(nc).open(bucket);
  return async (key, revision) => {
    try {
      await kv.delete(key, { previousSeq: revision });
    } catch (err) {
      const codes: number[] = [JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown];
      if (err instanceof JetStreamApiError && codes.includes(err.code)) throw new RevisionConflictError(bucket, key, revision, err);
      throw err;
    }
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isSlot(v: unknown): v is RolloutSlot {
  return isObject(v) && isObject(v.rollout) && Array.isArray(v.keys) && "live" in v && "queued" in v;
}

/**
 * The entry at `key` as an {@link IndexValue}. An entry without a slot (written by an older
 * orchestrator, or by hand) gets one derived from its release fields, so it is never stuck.
 */
export function asIndexValue(key: string, raw: unknown): IndexValue {
  const v = isObject(raw) ? raw : {};
  if (isSlot(v.slot)) return v as IndexValue;
  const [namespace = "", name = ""] = releaseIdFromKey(key).split("/");
  const releaseId = typeof v.releaseId === "string" ? v.releaseId : undefined;
  const version = typeof v.version === "string" ? v.version : undefined;
  const slot: RolloutSlot = {
    rollout: { namespace, name },
    service: typeof v.service === "string" ? v.service : name,
    stableVersion: typeof v.stableVersion === "string" ? v.stableVersion : "",
    live: releaseId !== undefined && version !== undefined ? { releaseId, version } : null,
    queued: null,
    keys: [],
  };
  return { ...(v as Partial<IndexValue>), slot };
}

/** Create the index over `kv`; `deleteAt` is the revision-checked delete of the same bucket. */
export function createKvIndex(kv: JsonKv, deleteAt: DeleteAt): RolloutIndexStore {
  const read = async (key: string): Promise<Versioned<IndexValue> | null> => {
    const e = await kv.get(key);
    return e === null ? null : { value: asIndexValue(key, e.value), revision: e.revision };
  };
  return {
    get: (namespace, rollout) => read(rolloutKey(namespace, rollout)),
    async list() {
      // One batched read per tick, not one get per rollout (n KV round trips every tick).
      const entries = await kv.entries();
      return entries.map((e) => ({ value: asIndexValue(e.key, e.value), revision: e.revision }));
    },
    write(namespace, rollout, value, revision) {
      const key = rolloutKey(namespace, rollout);
      return revision === 0 ? kv.create(key, value) : kv.update(key, value, revision);
    },
    remove: (namespace, rollout, revision) => deleteAt(rolloutKey(namespace, rollout), revision),
  };
}
