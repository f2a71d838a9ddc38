// The vm-provisioner's ports: VirtualMachines, the mesh objects preflight reads, and events out.
import type { PayloadOf } from "../../schemas/codec.js";
import type { EventSubject } from "../../schemas/subjects.js";
import type { DestinationRule, Namespace, ObjectRef, Service, VirtualMachine } from "./vm-types.js";

export type { ObjectRef } from "./vm-types.js";

export { KubeApiError, isTransient } from "../runtime/kube-error.js";

/** KubeVirt VirtualMachines. */
export interface VirtualMachines {
  /** Create; throws KubeApiError 409 when one of that name exists. */
  create(vm: VirtualMachine): Promise<VirtualMachine>;
  /** The VM, or null when it does not exist. */
  get(ref: ObjectRef): Promise<VirtualMachine | null>;
  /** VMs of a namespace matching a label selector (`a=b,c=d`). */
  list(namespace: string, labelSelector: string): Promise<VirtualMachine[]>;
  /** JSON merge patch (RFC 7386); a `metadata.resourceVersion` in it makes it conditional (409 when stale). */
  patch(ref: ObjectRef, mergePatch: Record<string, unknown>): Promise<VirtualMachine>;
  /** Delete; a VM already gone is not an error. */
  delete(ref: ObjectRef): Promise<void>;
}

/** What preflight reads; each null when it does not exist. */
export interface MeshObjects {
  service(ref: ObjectRef): Promise<Service | null>;
  destinationRule(ref: ObjectRef): Promise<DestinationRule | null>;
  /** Null also when the namespace may not be read (the injection check is then skipped). */
  namespace(name: string): Promise<Namespace | null>;
}

/** Publishes Siskin events (structurally the runtime's Publisher). */
export interface EventPublisher {
  publish<S extends EventSubject>(subject: S, msg: { id: string; data: PayloadOf<S>; releaseId?: string; causationId?: string }): Promise<unknown>;
}
