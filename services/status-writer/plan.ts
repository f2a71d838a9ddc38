/** Pure: merge a written status with the stored one so conditions keep their transition times. */
import type { Condition, VMRolloutStatus } from "../../schemas/rollout.js";

/** Conditions another writer owns (the k8s-watcher's spec check); a release's write keeps them. */
const keptConditions = new Set(["SpecValid"]);

/**
 * The status to store: the new status, with each condition's `lastTransitionTime` kept from the
 * stored condition of the same type when its status did not change (Kubernetes convention), the
 * stored `SpecValid` condition kept, phase `InvalidSpec` kept while that condition is False for this
 * generation (as Argo Rollouts shows InvalidSpec over any other phase), and `observedGeneration` set
 * to the object's generation.
 */
export function mergeStatus(stored: VMRolloutStatus | undefined, next: VMRolloutStatus, generation: number | undefined): VMRolloutStatus {
  const before = new Map((stored?.conditions ?? []).map((c) => [c.type, c]));
  const written = new Set((next.conditions ?? []).map((c) => c.type));
  const kept = (stored?.conditions ?? []).filter((c) => keptConditions.has(c.type) && !written.has(c.type));
  const merged = next.conditions?.map((c): Condition => {
    const old = before.get(c.type);
    return old !== undefined && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  });
  const conditions = merged === undefined && kept.length === 0 ? undefined : [...(merged ?? []), ...kept];
  const specInvalid = kept.some((c) => c.type === "SpecValid" && c.status === "False" && (generation === undefined || c.observedGeneration === generation));
  return {
    ...next,
    ...(specInvalid ? { phase: "InvalidSpec" as const } : {}),
    ...(conditions === undefined ? {} : { conditions }),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
}
