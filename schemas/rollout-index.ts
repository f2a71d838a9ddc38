/**
 * The live-release index (KV `Bucket.rollouts`, key `rolloutKey(namespace, rollout)`) and the labels
 * and annotations Siskin puts on the objects it manages. The orchestrator writes the index (one
 * {@link LiveReleaseEntry} per rollout with a release in flight); the k8s-watcher reads it as a
 * {@link RolloutIndexEntry} to tell a managed VirtualService edit (drift) from Siskin's own writes,
 * alert-ingest as an {@link AlertIndexEntry} to map Alertmanager alerts to releases, and the
 * orchestrator's ticker reads `nextWakeAt` to skip releases with nothing due.
 */
import { Type, type Static } from "typebox";
import { EpochMs, K8sName, K8sNamespace, ReleaseId, StringMap, Version } from "./common.js";

/**
 * One rollout's release in flight. Readers tolerate fields they do not know (the writer may carry
 * more), so the object is open.
 */
export const RolloutIndexEntry = Type.Object(
  {
    /** The release in flight (`<namespace>/<rollout>/<version>`). */
    releaseId: ReleaseId,
    /** The canary version being released. */
    version: Version,
    /** The stable version the release started from (default: the rollout's `spec.stableVersion`). */
    stableVersion: Type.Optional(Version),
    /** DestinationRule subset names of the release (default: the versions). */
    stableSubset: Type.Optional(Type.String({ minLength: 1 })),
    canarySubset: Type.Optional(Type.String({ minLength: 1 })),
    /** The canary weight Siskin last set on the managed routes (after `evt.traffic.weights_set`). */
    lastSetWeight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    /**
     * The earliest deadline of the release (epoch ms): the orchestrator's ticker skips the release
     * until then. Absent = unknown, the release is ticked every time.
     */
    nextWakeAt: Type.Optional(EpochMs),
  },
  { additionalProperties: true },
);
export type RolloutIndexEntry = Static<typeof RolloutIndexEntry>;

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

/**
 * The whole entry the orchestrator writes: every field of {@link RolloutIndexEntry} and
 * {@link RolloutAlertRouting}, so both readers find theirs in the same value.
 */
export const LiveReleaseEntry = AlertIndexEntry;
export type LiveReleaseEntry = AlertIndexEntry;

/** Labels Siskin sets on the VirtualMachines (and their VMI templates) it creates. */
export const SiskinLabel = {
  /** The VMRollout (same namespace) a VM belongs to. */
  rollout: "siskin.dev/rollout",
  /** The release version a VM runs (independent of the rollout's configurable version label). */
  releaseVersion: "siskin.dev/release-version",
} as const;

/** Annotations Siskin sets. */
export const SiskinAnnotation = {
  /**
   * On a managed VirtualService: the canary weight the traffic-router last wrote. A managed route
   * whose weight differs from it was edited by someone else (drift).
   */
  canaryWeight: "siskin.dev/canary-weight",
  /** On a managed VirtualService: the release (`<ns>/<rollout>/<version>`) whose weights the traffic-router last wrote. */
  weightsRelease: "siskin.dev/weights-release",
  /**
   * On a managed VirtualService and DestinationRule: the versions whose destination (subset) the
   * traffic-router added, oldest first (comma-separated). Only these are ever removed by a prune.
   */
  addedVersions: "siskin.dev/added-versions",
  /**
   * On a VirtualMachine the vm-provisioner created (not on one the user labelled for Siskin, such as
   * the first stable version's): only these are ever deleted by a prune.
   */
  createdBy: "siskin.dev/created-by",
} as const;

/** The annotation KubeVirt reads on the VMI / VM template to inject Istio's sidecar (copied to the pod as a label). */
export const IstioInjectAnnotation = "sidecar.istio.io/inject";
