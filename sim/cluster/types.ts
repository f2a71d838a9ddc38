// Shapes shared by the simulated API server's modules.
import { isDeepStrictEqual } from "node:util";

/** Object metadata, as much of it as the simulator reads or writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** A metadata.ownerReferences entry. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object: typed metadata, everything else free-form JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A JSON value, for patches and free-form fields. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Watch event types on the wire. */
export const WatchEventType = {
  added: "ADDED",
  modified: "MODIFIED",
  deleted: "DELETED",
  bookmark: "BOOKMARK",
  error: "ERROR",
} as const;
export type WatchEventType = (typeof WatchEventType)[keyof typeof WatchEventType];

/** One watch event as sent to clients: `{"type","object"}`. */
export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject | Record<string, unknown>;
}

/** A clock: milliseconds since the epoch. */
export type Clock = () => number;

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function toKubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Deep copy of a JSON-compatible value. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Equality of two values as the API server stores them, JSON: key order and undefined-valued keys
 * (which JSON drops) are ignored.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const asJson = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  return a === b || isDeepStrictEqual(asJson(a), asJson(b));
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
