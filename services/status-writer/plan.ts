/** Pure: merge a written status with the stored one so conditions keep their transition times. */
import type { Condition, VMRolloutStatus } from "../../schemas/rollout.js";

/**
 * The status to store: the new status, with each condition's `lastTransitionTime` kept from the
 * stored condition of the same type when its status did not change (Kubernetes convention), and
 * `observedGeneration` set to the object's generation.
 */
export function mergeStatus(stored: VMRolloutStatus | undefined, next: VMRolloutStatus, generation: number | undefined): VMRolloutStatus {
  const before = new Map((stored?.conditions ?? []).map((c) => [c.type, c]));
  const conditions = next.conditions?.map((c): Condition => {
    const old = before.get(c.type);
    return old !== undefined && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  });
  return {
    ...next,
    ...(conditions === undefined ? {} : { conditions }),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
}
