// Pure: what the watcher remembers of each object (in memory and in its KV cursor): exactly the
// fields the evaluators read, so a remembered object is a valid `prev` after a restart.
import { isCrashEvent } from "./evaluate-vmim.js";
import type { KubeEvent, KubeObject, Meta, Vmi, Vmim } from "./kube-types.js";

function meta(m: Meta | undefined, withLabels: boolean): Meta {
  const out: Meta = {};
  for (const k of ["name", "namespace", "uid", "resourceVersion", "generation"] as const) {
    if (m?.[k] !== undefined) (out as Record<string, unknown>)[k] = m[k];
  }
  if (withLabels && m?.labels !== undefined) out.labels = { ...m.labels };
  return out;
}

/** A VMI reduced to metadata, labels, phase, Ready, phase history and the migration outcome. */
export function compactVmi(obj: KubeObject): KubeObject {
  const vmi = obj as Vmi;
  const s = vmi.status;
  const out: Vmi = { metadata: meta(vmi.metadata, true) };
  if (s === undefined) return out;
  const status: NonNullable<Vmi["status"]> = {};
  if (s.phase !== undefined) status.phase = s.phase;
  if (s.reason !== undefined) status.reason = s.reason;
  if (s.nodeName !== undefined) status.nodeName = s.nodeName;
  const ready = s.conditions?.filter((c) => c.type === "Ready").map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}) }));
  if (ready !== undefined && ready.length > 0) status.conditions = ready;
  const history = s.phaseTransitionTimestamps?.map((t) => ({ phase: t.phase }));
  if (history !== undefined) status.phaseTransitionTimestamps = history;
  const ms = s.migrationState;
  if (ms !== undefined) {
    const keepKeys = ["migrationUid", "startTimestamp", "sourceNode", "targetNode", "completed", "failed", "abortStatus", "failureReason"] as const;
    status.migrationState = Object.fromEntries(keepKeys.filter((k) => ms[k] !== undefined).map((k) => [k, ms[k]]));
  }
  out.status = status;
  return out;
}

/** A VMIM reduced to metadata, the VMI it moves, its phase and migration uid. */
export function compactVmim(obj: KubeObject): KubeObject {
  const vmim = obj as Vmim;
  const out: Vmim = { metadata: meta(vmim.metadata, false) };
  if (vmim.spec?.vmiName !== undefined) out.spec = { vmiName: vmim.spec.vmiName };
  if (vmim.status !== undefined) {
    out.status = {};
    if (vmim.status.phase !== undefined) out.status.phase = vmim.status.phase;
    const uid = vmim.status.migrationState?.migrationUid;
    if (uid !== undefined) out.status.migrationState = { migrationUid: uid };
  }
  return out;
}

/** Only crash events are worth remembering: any other event yields no fact when seen again. */
export function keepEvent(obj: KubeObject): boolean {
  return isCrashEvent(obj as KubeEvent);
}

/** Metadata only (events, VirtualServices: a changed resourceVersion is all the diff needs). */
export function compactMeta(obj: KubeObject): KubeObject {
  return { metadata: meta(obj.metadata, false) };
}

/** A VMRollout: metadata and spec (the version label and VirtualService name are read from it). */
export function compactRollout(obj: KubeObject): KubeObject {
  return { metadata: meta(obj.metadata, false), spec: obj.spec };
}
