// Types of the API layer: request targets, options, list bodies, patch types and the Api interface.
import type { Registry, ResourceType } from "./registry.js";
import type { Store } from "./store.js";
import type { Clock, KubeObject } from "./types.js";

/** What a request addresses: a type at a version, and optionally a namespace, a name, a subresource. */
export interface Target {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: "status";
}

/** Options of writes. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /**
   * Fields a CRD's schema does not declare: `Strict` refuses the write (400), `Warn` (the server's
   * default) prunes them and pushes `unknown field "spec.x"` to `warnings`, `Ignore` prunes silently.
   */
  fieldValidation?: "Ignore" | "Warn" | "Strict";
  /** Collects the warnings of the write (the HTTP layer sends them as `Warning: 299` headers). */
  warnings?: string[];
}

/** Options of list (and of the listing half of deletecollection). */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

/** Options of delete. */
export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** A list response body. */
export interface KubeList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

/** Patch content types. */
export const PatchType = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

/** The API layer. Every method is synchronous and throws ApiError like the real server answers. */
export interface Api {
  readonly registry: Registry;
  readonly store: Store;
  readonly clock: Clock;
  get(t: Target): KubeObject;
  list(t: Target, opts?: ListOptions): KubeList;
  create(t: Target, body: unknown, opts?: WriteOptions): KubeObject;
  update(t: Target, body: unknown, opts?: WriteOptions): KubeObject;
  patch(t: Target, type: PatchType, patch: unknown, opts?: WriteOptions): KubeObject;
  delete(t: Target, opts?: DeleteOptions): KubeObject;
  deleteCollection(t: Target, list: ListOptions, opts?: DeleteOptions): KubeList;
  /** The object as served at the target's version. */
  present(t: Target, obj: KubeObject): KubeObject;
}
