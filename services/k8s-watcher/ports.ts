// The k8s-watcher's ports: what it needs from Kubernetes, JetStream and KV, named by what it does.
import type { RolloutIndexEntry } from "../../schemas/rollout-index.js";
import type { Fact } from "./evaluate.js";
import type { VMRolloutStatus } from "../../schemas/rollout.js";
import type { KubeObject, RolloutObject } from "./kube-types.js";

/** The resource kinds the watcher follows (also its KV cursor keys). */
export const WatchedKind = {
  vmis: "vmis",
  vmims: "vmims",
  events: "events",
  virtualServices: "virtualservices",
  rollouts: "vmrollouts",
} as const;
/** `"vmis" | "vmims" | ...`. */
export type WatchedKind = (typeof WatchedKind)[keyof typeof WatchedKind];

/** One watch event. `BOOKMARK` only moves the resourceVersion. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  object: KubeObject;
}

/**
 * Why a watch ended: `gone` (HTTP 410 or an ERROR event with code 410: the resourceVersion left the
 * server's history, relist), `closed` (the server ended the stream; watch again from the last
 * resourceVersion), `error` (anything else; back off, then watch again).
 */
export type WatchEnd = { reason: "gone" } | { reason: "closed" } | { reason: "error"; error: unknown };

/** A collection: a kind in one namespace, or in all (`namespace` undefined). */
export interface WatchTarget {
  kind: WatchedKind;
  namespace?: string;
}

/** List and watch Kubernetes collections. */
export interface KubeWatch {
  /** A consistent list of the collection and its resourceVersion. */
  list(target: WatchTarget): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  /**
   * Watch from `resourceVersion` (events after it). Resolves once the stream is open (or failed, in
   * which case `onEnd` has been called). `onEnd` is called once, and not after `stop()`.
   */
  watch(target: WatchTarget, resourceVersion: string, onEvent: (e: WatchEvent) => void, onEnd: (end: WatchEnd) => void): Promise<{ stop(): void }>;
}

/** Publishes facts (the fact's id is the JetStream msgID). */
export interface FactSink {
  /** Resolves when the stream stored it (or dropped it as a duplicate). Throws when JetStream is unavailable. */
  publish(fact: Fact): Promise<{ duplicate: boolean }>;
}

/** Where a kind's watch resumes: its resourceVersion and (for kinds that need it) the last known objects. */
export interface Cursor {
  resourceVersion: string;
  /** Compact last-known objects by uid, so a relist after a restart still sees what changed. */
  objects?: Record<string, KubeObject>;
}

/** KV `Bucket.watchCursors`, one key per collection. */
export interface CursorStore {
  load(target: WatchTarget): Promise<Cursor | null>;
  save(target: WatchTarget, cursor: Cursor): Promise<void>;
}

/** KV `Bucket.rollouts`: the release in flight of a rollout, or null. */
export interface ReleaseIndex {
  get(namespace: string, rollout: string): Promise<RolloutIndexEntry | null>;
}

/** VMRollout statuses, for the `SpecValid` condition the watcher owns. */
export interface RolloutStatuses {
  /** The VMRollout as stored now, or null when it is gone. */
  get(namespace: string, name: string): Promise<RolloutObject | null>;
  /** Replace the status of `obj` at its resourceVersion; `conflict` when the object moved on meanwhile. */
  replaceStatus(obj: RolloutObject, status: VMRolloutStatus): Promise<"written" | "conflict">;
}
