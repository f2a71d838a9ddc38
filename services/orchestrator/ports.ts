import type { VMRolloutSpec } from "../../schemas/rollout.js";
/**
 * The orchestrator's ports: the release store and the rollout index (both JetStream KV with
 * revision-checked writes), the publisher of commands, and test fault hooks. Adapters: store.ts
 * (releases), index-kv.ts (rollout index), nats-ports.ts (the command publisher, over the runtime's
 * publisher; it also opens the stores); in-memory fakes for tests: memory-kv.test-util.ts.
 */
import type { LiveReleaseEntry } from "../../schemas/rollout-index.js";
import type { HostCommand, StoredRelease } from "./host.js";
import type { RolloutSlot } from "./event-routing.js";

/**
 * A release as the KV bucket `Bucket.releases` holds it: the host's record plus the ids of the
 * last events applied to it (newest last, bounded), so a redelivered event is recognised even
 * after later events were applied.
 */
export type ReleaseValue = StoredRelease & { processed: string[] };

/** A value read with the revision to pass to the next write. */
export interface Versioned<T> {
  value: T;
  revision: number;
}

/** Releases by id (KV `Bucket.releases`, key `releaseKey(releaseId)`). */
export interface ReleaseStore {
  /** The release, or null when none is stored. */
  load(releaseId: string): Promise<Versioned<ReleaseValue> | null>;
  /** Store a new release; throws a SISKIN_ERR_CONFLICT error when it exists. Returns the revision. */
  create(releaseId: string, value: ReleaseValue): Promise<number>;
  /** Overwrite when still at `revision`; throws a SISKIN_ERR_CONFLICT error otherwise. */
  update(releaseId: string, value: ReleaseValue, revision: number): Promise<number>;
}

/**
 * One rollout's entry of the live-release index (KV `Bucket.rollouts`): the live release's fields
 * the k8s-watcher and alert-ingest read (top level), plus event routing's slot (live, queued,
 * idempotency keys) under `slot`. It exists only while the rollout has a release in flight.
 */
export type IndexValue = Partial<LiveReleaseEntry> & { slot: RolloutSlot };

/** The live-release index by rollout. */
export interface RolloutIndexStore {
  /** The rollout's entry, or null. */
  get(namespace: string, rollout: string): Promise<Versioned<IndexValue> | null>;
  /** Every entry (the ticker and routing of facts that name no rollout). */
  list(): Promise<Array<Versioned<IndexValue>>>;
  /** Write the entry: create when `revision` is 0, else update at `revision` (conflicts throw). Returns the revision. */
  write(namespace: string, rollout: string, value: IndexValue, revision: number): Promise<number>;
  /** Delete the entry when still at `revision` (conflicts throw). */
  remove(namespace: string, rollout: string, revision: number): Promise<void>;
}

/** Publishes one outgoing message with its deterministic msgId. */
export interface CommandPublisher {
  /** Resolves once JetStream stored it (`duplicate`: the server already had this msgId and dropped it). */
  publish(cmd: HostCommand): Promise<{ duplicate: boolean }>;
}

/** The VMRollouts on the API server: the only source of a release's spec. */
export interface RolloutSpecs {
  /** The rollout's spec and `metadata.generation` now, or null when it does not exist; API failures throw (retryable). */
  get(namespace: string, name: string): Promise<{ spec: VMRolloutSpec; generation?: number } | null>;
}

/**
 * Test hooks that simulate a crash: a hook that throws aborts the handling at that point, as a
 * killed process would (the message is then redelivered).
 */
export interface FaultHooks {
  /** After a release was saved with its outbox, before anything is published. */
  afterSave?(releaseId: string, eventKey: string): void;
  /** After an outbox was published, before it is cleared. */
  afterPublish?(releaseId: string, eventKey: string): void;
}

export type { Log } from "../runtime/ports.js";
