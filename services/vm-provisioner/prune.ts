// Pure: which of the VMs Siskin created for a rollout go once a promotion's rollback window passed.
// Versions are ordered by their newest VM's creation time; `keep` stays whatever its age, then the
// newest others up to `limit` versions in all; the rest are removed. Only VMs the vm-provisioner
// created (annotation `siskin.dev/created-by`) count; one the user labelled for Siskin never does. Only versions older than the
// newest kept one are candidates: a newer one is a later release's canary, in flight. A VM without Siskin's labels is
// never listed here (the caller lists by `siskin.dev/rollout`), so never removed.
import { SiskinAnnotation, SiskinLabel } from "../../schemas/rollout-index.js";
import type { VirtualMachine } from "./vm-types.js";

/** The outcome: versions kept (newest first), versions removed (oldest first) and their VMs. */
export interface PrunePlan {
  kept: string[];
  removed: string[];
  vms: string[];
}

/** Plan the removal among `vms` (all labelled `siskin.dev/rollout: <rollout>`). */
export function planVmPrune(all: readonly VirtualMachine[], keep: readonly string[], limit: number): PrunePlan {
  // A VM the user labelled for Siskin (the first stable version's) was not created by Siskin: never removed.
  const vms = all.filter((vm) => vm.metadata.annotations?.[SiskinAnnotation.createdBy] !== undefined);
  const newest = new Map<string, string>();
  for (const vm of vms) {
    const v = vm.metadata.labels?.[SiskinLabel.releaseVersion];
    if (v === undefined) continue;
    const at = vm.metadata.creationTimestamp ?? "";
    if ((newest.get(v) ?? "") <= at) newest.set(v, at);
  }
  const byAge = [...newest.entries()].sort((a, b) => (a[1] === b[1] ? b[0].localeCompare(a[0]) : b[1].localeCompare(a[1]))).map(([v]) => v);
  // Versions newer than the newest kept one belong to a later release (its canary): never touched.
  const boundary = byAge.findIndex((v) => keep.includes(v));
  if (boundary < 0) return { kept: [], removed: [], vms: [] };
  const older = byAge.slice(boundary).filter((v) => !keep.includes(v));
  const kept = keep.filter((v) => newest.has(v));
  kept.push(...older.slice(0, Math.max(0, limit - keep.length)));
  const removed = older.filter((v) => !kept.includes(v)).reverse();
  const vmsOut = vms.filter((vm) => removed.includes(vm.metadata.labels?.[SiskinLabel.releaseVersion] ?? "")).map((vm) => vm.metadata.name).sort();
  return { kept: byAge.filter((v) => kept.includes(v)), removed, vms: vmsOut };
}
