// Shapes shared by the simulated API server's modules.

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

/** Structural equality of two JSON-compatible values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
