// Pure: facts from VirtualMachineInstanceMigrations and from KubeVirt's Events. Their ids are the
// ones the VMI's own status would give (same VMI uid, same migration uid, one crash per VMI), so a
// fact seen on two paths is published once.
import type { PayloadOf } from "../../schemas/codec.js";
import { Event } from "../../schemas/subjects.js";
import { factId, vmiFactBase, type Fact, type FactOptions } from "./evaluate.js";
import { metaOf, type KubeEvent, type Vmi, type Vmim } from "./kube-types.js";

const terminal: ReadonlySet<string> = new Set(["Succeeded", "Failed"]);

function failureReason(vmim: Vmim): string {
  const ms = vmim.status?.migrationState;
  if (ms?.failureReason) return ms.failureReason;
  const c = vmim.status?.conditions?.find((x) => x.status === "True" && (x.reason || x.message));
  return c?.message || c?.reason || "migration failed";
}

/**
 * Facts from the change `prev → next` of a VMIM of `vmi` (the VMI it names, same namespace; without
 * it there is nothing to attribute the migration to). A VMIM first seen running → started; reaching
 * Succeeded → completed, Failed → failed. `prev` undefined and `next` terminal reports the outcome only.
 */
export function migrationFactsFor(prev: Vmim | undefined, next: Vmim | undefined, vmi: Vmi | undefined, opts: FactOptions = {}): Fact[] {
  if (next === undefined || vmi === undefined) return [];
  const vmiUid = metaOf(vmi).uid;
  const key = next.status?.migrationState?.migrationUid || metaOf(next).uid;
  if (!vmiUid || !key) return [];
  const phase = next.status?.phase ?? "";
  const before = prev?.status?.phase;
  if (prev !== undefined && before === phase) return [];
  if (prev !== undefined && before !== undefined && terminal.has(before)) return [];
  const data: PayloadOf<typeof Event.vmMigrationStarted> = { ...vmiFactBase(vmi, opts), migrationUid: key };
  const ms = next.status?.migrationState;
  if (ms?.sourceNode) data.sourceNode = ms.sourceNode;
  if (ms?.targetNode) data.targetNode = ms.targetNode;
  if (phase === "Succeeded") {
    return [{ subject: Event.vmMigrationCompleted, id: factId(vmiUid, "migration_completed", key), data }];
  }
  if (phase === "Failed") {
    return [{ subject: Event.vmMigrationFailed, id: factId(vmiUid, "migration_failed", key), data: { ...data, reason: failureReason(next) } }];
  }
  if (prev !== undefined) return [];
  return [{ subject: Event.vmMigrationStarted, id: factId(vmiUid, "migration_started", key), data }];
}

/** True for KubeVirt's `Stopped` Warning "The VirtualMachineInstance crashed." (tech-facts §1.8). */
export function isCrashEvent(ev: KubeEvent): boolean {
  return ev.type === "Warning" && ev.reason === "Stopped" && /crash/i.test(ev.message ?? "");
}

/**
 * Facts from one Event whose involvedObject is a VMI: a crash report becomes `evt.vm.crashed` with
 * the id the VMI's Failed phase would give. `vmi` is the VMI it names (matched by uid); an event about
 * a VMI the watcher does not know carries no labels, so it is left to the VMI's own status.
 */
export function eventFacts(ev: KubeEvent, vmi: Vmi | undefined, opts: FactOptions = {}): Fact[] {
  if (ev.involvedObject?.kind !== "VirtualMachineInstance" || !isCrashEvent(ev) || vmi === undefined) return [];
  const { uid } = metaOf(vmi);
  if (!uid || (ev.involvedObject.uid && ev.involvedObject.uid !== uid)) return [];
  const reason = ev.message ?? "The VirtualMachineInstance crashed.";
  return [{ subject: Event.vmCrashed, id: factId(uid, "crashed", "once"), data: { ...vmiFactBase(vmi, opts), reason } }];
}
