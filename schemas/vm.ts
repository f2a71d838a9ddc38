/** Payloads of `cmd.vm.*` and `evt.vm.*`. */
import { Type, type Static } from "typebox";
import { K8sName, ObjectRef, Strict, StringEnum, StringMap, Version } from "./common.js";
import { RolloutRef, VMRolloutSpec } from "./rollout.js";

/** `cmd.vm.provision`: preflight, then create the canary VirtualMachine. */
export const VmProvision = Strict({
  rollout: RolloutRef,
  spec: VMRolloutSpec,
  version: Version,
  /** Name of the VirtualMachine to create (`<service>-<version>` sanitised). */
  vmName: K8sName,
});
export type VmProvision = Static<typeof VmProvision>;

/** `cmd.vm.stop`: stop the VirtualMachines of a version. */
export const VmStop = Strict({
  rollout: RolloutRef,
  version: Version,
  /** Also delete the VirtualMachine objects (default: set runStrategy Halted). */
  delete: Type.Boolean(),
  reason: Type.String(),
  /**
   * Also stop VirtualMachines whose metadata labels include all of these (VMs Siskin did not create,
   * such as the first stable version: `{app: <service>, <versionLabel>: <version>}`).
   */
  matchLabels: Type.Optional(StringMap),
});
export type VmStop = Static<typeof VmStop>;

/**
 * `cmd.vm.prune`: delete the VirtualMachines Siskin created for versions beyond the rollout's
 * `revisionHistoryLimit` (after a promotion's rollback window). Only VMs labelled
 * `siskin.dev/rollout: <rollout>`; never a version in `keep`.
 */
export const VmPrune = Strict({
  rollout: RolloutRef,
  /** Versions that stay whatever their age: the new stable version and the previous one. */
  keep: Type.Array(Version, { minItems: 1, maxItems: 10 }),
  /** How many versions stay deployed in all (`spec.revisionHistoryLimit`), `keep` included. */
  limit: Type.Integer({ minimum: 1, maximum: 10 }),
  reason: Type.String(),
});
export type VmPrune = Static<typeof VmPrune>;

/** `evt.vm.pruned`: what `cmd.vm.prune` deleted. */
export const VmPruned = Strict({
  rollout: ObjectRef,
  /** Versions whose VMs were deleted, oldest first (empty when nothing was beyond the limit). */
  removed: Type.Array(Version),
  /** The VirtualMachines deleted. */
  vms: Type.Array(K8sName),
  /** Versions whose VMs stay, newest first. */
  kept: Type.Array(Version),
});
export type VmPruned = Static<typeof VmPruned>;

/** `evt.vm.provisioned`. */
export const VmProvisioned = Strict({
  vm: ObjectRef,
  version: Version,
  /** False when the VM already existed (a repeated command). */
  created: Type.Boolean(),
});
export type VmProvisioned = Static<typeof VmProvisioned>;

/** One preflight or provisioning problem, with its fix. */
export const Problem = Strict({
  code: Type.String(),
  message: Type.String(),
  fix: Type.String(),
});
export type Problem = Static<typeof Problem>;

/** `evt.vm.provision_failed`. */
export const VmProvisionFailed = Strict({
  version: Version,
  problems: Type.Array(Problem, { minItems: 1 }),
  /** True when retrying the same command may succeed (API unavailable); false for preflight problems. */
  retryable: Type.Boolean(),
});
export type VmProvisionFailed = Static<typeof VmProvisionFailed>;

/** `evt.vm.stopped`. */
export const VmStopped = Strict({
  version: Version,
  vms: Type.Array(K8sName),
  deleted: Type.Boolean(),
});
export type VmStopped = Static<typeof VmStopped>;

/** What every VMI fact carries: which VMI, and which rollout and version it serves (from its labels). */
const VmiFact = {
  vmi: ObjectRef,
  /** Value of the version label, when present. */
  version: Type.Optional(Type.String()),
  /** The rollout it belongs to (label `siskin.dev/rollout`), when present. */
  rollout: Type.Optional(ObjectRef),
  /** Value of the `app` label, when present. */
  app: Type.Optional(Type.String()),
  /** The VMI's resourceVersion when observed. */
  resourceVersion: Type.String(),
};

/** KubeVirt VMI phases. */
export const VmiPhase = ["", "Pending", "Scheduling", "Scheduled", "Running", "Succeeded", "Failed", "WaitingForSync", "Unknown"] as const;
export type VmiPhase = (typeof VmiPhase)[number];

/** `evt.vm.phase_changed`. */
export const VmPhaseChanged = Strict({
  ...VmiFact,
  phase: StringEnum(VmiPhase),
  previousPhase: Type.Optional(StringEnum(VmiPhase)),
  nodeName: Type.Optional(Type.String()),
});
export type VmPhaseChanged = Static<typeof VmPhaseChanged>;

/** `evt.vm.ready_changed`. */
export const VmReadyChanged = Strict({
  ...VmiFact,
  ready: Type.Boolean(),
  reason: Type.Optional(Type.String()),
});
export type VmReadyChanged = Static<typeof VmReadyChanged>;

/** `evt.vm.migration_started|completed|failed`. */
export const VmMigration = Strict({
  ...VmiFact,
  migrationUid: Type.Optional(Type.String()),
  sourceNode: Type.Optional(Type.String()),
  targetNode: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});
export type VmMigration = Static<typeof VmMigration>;

/** `evt.vm.crashed`. */
export const VmCrashed = Strict({
  ...VmiFact,
  reason: Type.String(),
});
export type VmCrashed = Static<typeof VmCrashed>;

/** `evt.vm.deleted`. */
export const VmDeleted = Strict({ ...VmiFact });
export type VmDeleted = Static<typeof VmDeleted>;
