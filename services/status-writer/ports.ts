/** What status-writer needs from Kubernetes. */
import type { VMRolloutStatus } from "../../schemas/rollout.js";

/** A VMRollout as far as status-writer cares. */
export interface RolloutObject {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; generation?: number };
  status?: VMRolloutStatus;
}

/** VMRollouts and their Events. */
export interface Rollouts {
  /** The VMRollout, or null when it does not exist. */
  get(namespace: string, name: string): Promise<RolloutObject | null>;
  /**
   * Replace the status subresource, guarded by `resourceVersion`.
   * Throws KubeApiError 409 on a conflict (a stale resourceVersion).
   */
  replaceStatus(obj: RolloutObject, status: VMRolloutStatus): Promise<void>;
  /**
   * Record a Kubernetes Event on the VMRollout under a deterministic `name`, so a redelivered
   * command does not record it twice (an existing Event of that name is left alone).
   */
  recordEvent(obj: RolloutObject, name: string, event: { type: "Normal" | "Warning"; reason: string; message: string }): Promise<void>;
}
