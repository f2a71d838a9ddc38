/**
 * The fields of a live-release index entry (KV `Bucket.rollouts`, {@link RolloutIndexEntry}) that
 * alert-ingest reads to map Alertmanager alerts to releases. The orchestrator writes them in the same
 * entry; the entry stays open, so readers that do not know these fields ignore them.
 */
import { Type, type Static } from "typebox";
import { K8sName, K8sNamespace, StringMap, Version } from "./common.js";
import { RolloutIndexEntry } from "./rollout-index.js";

/** Alert routing of one release in flight. All optional: absent ones are derived or disable a way of matching. */
export const RolloutAlertRouting = Type.Object(
  {
    /** Namespace of the rollout (default: the first segment of `releaseId`). */
    namespace: Type.Optional(K8sNamespace),
    /** Name of the VMRollout (default: the second segment of `releaseId`). */
    rollout: Type.Optional(K8sName),
    /** The Istio canonical service / Kubernetes Service of the rollout; without it only matchers map alerts. */
    service: Type.Optional(K8sName),
    /** Canary version (default: `version`). */
    canaryVersion: Type.Optional(Version),
    /** The rollout's `versionLabel` (default `version`): an alert label of this name names a version too. */
    versionLabel: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    /**
     * The rollout's `analysis.alerts[].labels` (`resolveRollout().alertMatchers`): an alert carrying all
     * labels of one matcher maps to the release. `{{version}}` in a value means the canary version.
     */
    alertMatchers: Type.Optional(Type.Array(StringMap, { maxItems: 20 })),
  },
  { additionalProperties: true },
);
export type RolloutAlertRouting = Static<typeof RolloutAlertRouting>;

/** An index entry as alert-ingest reads it. */
export const AlertIndexEntry = Type.Intersect([RolloutIndexEntry, RolloutAlertRouting]);
export type AlertIndexEntry = Static<typeof AlertIndexEntry>;
