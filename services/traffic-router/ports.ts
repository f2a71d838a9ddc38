// The traffic-router's ports: read and write (guarded JSON patch) VirtualServices, read and replace
// (optimistic concurrency) DestinationRules, and publish events.
import type { PayloadOf } from "../../schemas/codec.js";
import type { EventSubject } from "../../schemas/subjects.js";
import type { JsonPatchOp } from "./json-patch.js";
import type { DestinationRule, VirtualService } from "./vs-types.js";

/** A namespaced object's name. */
export interface ObjectRef {
  namespace: string;
  name: string;
}

export { KubeApiError, isTransient } from "../runtime/kube-error.js";

/** Read and replace one kind of Istio object. */
export interface IstioObjects<T> {
  /** The object, or null when it does not exist. */
  get(ref: ObjectRef): Promise<T | null>;
  /**
   * PUT the whole object; its `metadata.resourceVersion` makes the write conditional, so a write
   * based on a stale read fails with KubeApiError 409. Resolves to the stored object.
   */
  replace(obj: T): Promise<T>;
}

/** networking.istio.io VirtualServices: read, and written only by guarded JSON patches. */
export interface VirtualServices {
  /** The object, or null when it does not exist. */
  get(ref: ObjectRef): Promise<VirtualService | null>;
  /**
   * Apply an RFC 6902 JSON patch (`application/json-patch+json`) as the router's field manager. The
   * patch carries its own `test` guards: when one no longer holds (a concurrent edit of what the
   * router read), the write fails with KubeApiError 409, like a stale resourceVersion. Fields the
   * patch does not name — including ones the router's types do not know, and other managers'
   * `managedFields` — are left as they are. Resolves to the stored object.
   */
  patch(ref: ObjectRef, ops: readonly JsonPatchOp[]): Promise<VirtualService>;
}
/** networking.istio.io DestinationRules. */
export type DestinationRules = IstioObjects<DestinationRule>;

/** Publishes Siskin events (structurally the runtime's Publisher). */
export interface EventPublisher {
  publish<S extends EventSubject>(subject: S, msg: { id: string; data: PayloadOf<S>; releaseId?: string; causationId?: string }): Promise<unknown>;
}
