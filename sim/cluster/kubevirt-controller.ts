// The KubeVirt lifecycle controller: VM, VMI and migration reconcilers over shared state. It is driven
// by `reconcile(now)` with an injected time and reports when its next timed step is due, so a manual
// clock can jump straight from one step to the next.
import { createKubevirtState } from "./kubevirt-state.js";
import { reconcileVms, vmNextDue } from "./vm-controller.js";
import { reconcileVmis, vmiNextDue } from "./vmi-controller.js";
import { migrationNextDue, reconcileMigrations } from "./migration.js";
import type { ControllerIo } from "./controller-io.js";

/** A controller the simulator ticks. */
export interface KubevirtController {
  /** One pass over VMs, VMIs and migrations at time `now`; performs every step that is due. */
  reconcile(now: number): void;
  /** The earliest future time at which a step becomes due, if any. */
  nextDueAt(now: number): number | undefined;
}

/** The KubeVirt controller over the given fake nodes. */
export function createKubevirtController(io: ControllerIo, nodes: readonly string[]): KubevirtController {
  const state = createKubevirtState(io, nodes);
  return {
    reconcile(now) {
      reconcileVms(state, now);
      reconcileVmis(state, now);
      reconcileMigrations(state, now);
    },
    nextDueAt(now) {
      const due = [vmNextDue(state, now), vmiNextDue(state, now), migrationNextDue(state, now)].filter((t): t is number => t !== undefined);
      return due.length === 0 ? undefined : Math.min(...due);
    },
  };
}
