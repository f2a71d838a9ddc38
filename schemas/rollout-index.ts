/**
 * The live-release index (KV `Bucket.rollouts`, key `rolloutKey(namespace, rollout)`) and the labels
 * and annotations Siskin puts on the objects it manages. The orchestrator writes the index; the
 * k8s-watcher reads it to tell a managed VirtualService edit (drift) from Siskin's own writes.
 */
import { Type, type Static } from "typebox";
import { ReleaseId, Version } from "./common.js";

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
  },
  { additionalProperties: true },
);
export type RolloutIndexEntry = Static<typeof RolloutIndexEntry>;

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
} as const;

/** The annotation KubeVirt reads on the VMI / VM template to inject Istio's sidecar (copied to the pod as a label). */
export const IstioInjectAnnotation = "sidecar.istio.io/inject";
