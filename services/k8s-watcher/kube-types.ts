// Shapes of the Kubernetes objects the watcher reads (KubeVirt VMI/VMIM, core Event, VMRollout,
// VirtualService). Only the fields Siskin looks at are typed; index signatures keep the rest.
import type { VMRolloutStatus } from "../../schemas/rollout.js";

/** Object metadata, as much as the watcher reads. */
export interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  managedFields?: Array<{ manager?: string; operation?: string; time?: string; [k: string]: unknown }>;
  [key: string]: unknown;
}

/** Any object with metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  [key: string]: unknown;
}

/** A VMI condition (`status.conditions[]`). */
export interface VmiCondition {
  type: string;
  status: "True" | "False" | "Unknown" | string;
  reason?: string;
  message?: string;
  [key: string]: unknown;
}

/** `status.migrationState` of a VMI or VMIM (tech-facts §1.4). */
export interface MigrationState {
  migrationUid?: string;
  startTimestamp?: string;
  endTimestamp?: string;
  sourceNode?: string;
  targetNode?: string;
  completed?: boolean;
  failed?: boolean;
  abortStatus?: string;
  failureReason?: string;
  [key: string]: unknown;
}

/** A KubeVirt VirtualMachineInstance. */
export interface Vmi extends KubeObject {
  status?: {
    phase?: string;
    reason?: string;
    nodeName?: string;
    conditions?: VmiCondition[];
    phaseTransitionTimestamps?: Array<{ phase?: string; phaseTransitionTimestamp?: string }>;
    migrationState?: MigrationState;
    [key: string]: unknown;
  };
}

/** A KubeVirt VirtualMachineInstanceMigration. */
export interface Vmim extends KubeObject {
  spec?: { vmiName?: string; [key: string]: unknown };
  status?: {
    phase?: string;
    migrationState?: MigrationState;
    conditions?: VmiCondition[];
    [key: string]: unknown;
  };
}

/** A core/v1 Event. */
export interface KubeEvent extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

/** A VMRollout as the watcher sees it (the spec is validated when a fact is built from it). */
export interface RolloutObject extends KubeObject {
  spec?: Record<string, unknown>;
  status?: VMRolloutStatus;
}

/** `name`, `namespace`, `uid`, `resourceVersion` of an object, empty strings when absent. */
export function metaOf(obj: KubeObject | undefined): { name: string; namespace: string; uid: string; rv: string } {
  const m = obj?.metadata;
  return { name: m?.name ?? "", namespace: m?.namespace ?? "", uid: m?.uid ?? "", rv: m?.resourceVersion ?? "" };
}
