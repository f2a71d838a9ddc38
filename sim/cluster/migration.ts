// Live migration: a VirtualMachineInstanceMigration moves its VMI to another node through the VMIM phases
// Pending → Scheduling → Scheduled → PreparingTarget → TargetReady → Running → Succeeded | Failed,
// filling VMI and VMIM status.migrationState, the migrationTargetNodeName label, target pod and events.
import { readSimScript } from "./annotations.js";
import { Component, Kind } from "./controller-io.js";
import { launcherPod, launcherPodStatus } from "./launcher-pod.js";
import { activePod, statusOf, withPhase } from "./kubevirt-state.js";
import { clone, isObject, toKubeTime } from "./types.js";
import type { KubevirtState, MigrationRuntime } from "./kubevirt-state.js";
import type { KubeObject } from "./types.js";

/** Fractions of migration-seconds at which each VMIM phase begins. */
const phaseAt = [
  ["Scheduling", 0.1],
  ["Scheduled", 0.2],
  ["PreparingTarget", 0.3],
  ["TargetReady", 0.4],
  ["Running", 0.5],
  ["Done", 1],
] as const;

const FAILURE_REASON =
  "Live migration failed error encountered during MigrateToURI3 libvirt api call: virError(Code=1, Domain=7, Message='internal error: qemu unexpectedly closed the monitor')";

function vmiMigrationState(vmi: KubeObject): Record<string, unknown> {
  const ms = statusOf(vmi).migrationState;
  return isObject(ms) ? clone(ms) : {};
}

function setVmiState(s: KubevirtState, vmi: KubeObject, patch: Record<string, unknown>): KubeObject {
  return s.io.setStatus(Kind.vmi, vmi, { ...statusOf(vmi), migrationState: { ...vmiMigrationState(vmi), ...patch } });
}

function setVmimPhase(s: KubevirtState, vmim: KubeObject, phase: string, now: number, vmi?: KubeObject): KubeObject {
  const status = withPhase(statusOf(vmim), phase, toKubeTime(now));
  if (vmi) status.migrationState = vmiMigrationState(vmi);
  return s.io.setStatus(Kind.vmim, vmim, status);
}

function finish(s: KubevirtState, vmim: KubeObject, vmi: KubeObject, rt: MigrationRuntime, now: number, failed: boolean, why?: string): void {
  const ts = toKubeTime(now);
  const ns = vmi.metadata.namespace ?? "";
  const withoutTargetLabel = (labels: Record<string, string> | undefined): Record<string, string> => {
    const out = { ...labels };
    delete out["kubevirt.io/migrationTargetNodeName"];
    return out;
  };
  if (failed) {
    const reason = why ?? FAILURE_REASON;
    let v = s.io.setMeta(Kind.vmi, vmi, (m) => {
      m.labels = withoutTargetLabel(m.labels);
    });
    v = setVmiState(s, v, { endTimestamp: ts, completed: true, failed: true, failureReason: reason });
    if (rt.targetPod) s.io.remove(Kind.pod, ns, rt.targetPod);
    s.io.event(v, "Warning", "Migrated", `VirtualMachineInstance migration uid ${vmim.metadata.uid ?? ""} failed. reason:${reason}`, Component.handler, rt.sourceNode);
    s.io.event(vmim, "Warning", "FailedMigration", "source node reported migration failed", Component.controller);
    setVmimPhase(s, vmim, "Failed", now, v);
    return;
  }
  let v = s.io.setMeta(Kind.vmi, vmi, (m) => {
    m.labels = { ...withoutTargetLabel(m.labels), "kubevirt.io/nodeName": rt.targetNode };
  });
  const st = statusOf(v);
  const ifaces = Array.isArray(st.interfaces) ? st.interfaces.filter(isObject) : [];
  const vmiRt = s.vmis.get(v.metadata.uid ?? "");
  if (vmiRt && rt.targetPod) vmiRt.podName = rt.targetPod;
  const targetPod = rt.targetPod ? s.io.get(Kind.pod, ns, rt.targetPod) : undefined;
  v = s.io.setStatus(Kind.vmi, v, {
    ...st,
    nodeName: rt.targetNode,
    interfaces: ifaces.map((i) => ({ ...i, ipAddress: rt.targetIp, ipAddresses: [rt.targetIp] })),
    activePods: targetPod ? { [targetPod.metadata.uid ?? ""]: rt.targetNode } : st.activePods,
    migrationState: { ...vmiMigrationState(v), endTimestamp: ts, completed: true, failed: false },
  });
  const source = s.io.get(Kind.pod, ns, rt.sourcePod);
  if (source) {
    s.io.setStatus(Kind.pod, source, launcherPodStatus(source, "Succeeded", { ready: false, now }));
    s.io.remove(Kind.pod, ns, rt.sourcePod);
  }
  s.io.event(v, "Normal", "Migrated", `The VirtualMachineInstance migrated to node ${rt.targetNode}.`, Component.handler, rt.targetNode);
  s.io.event(vmim, "Normal", "SuccessfulMigration", "Source node reported migration succeeded", Component.controller);
  setVmimPhase(s, vmim, "Succeeded", now, v);
}

function step(s: KubevirtState, vmim: KubeObject, now: number): void {
  const uid = vmim.metadata.uid ?? "";
  const ns = vmim.metadata.namespace ?? "";
  const phase = String(statusOf(vmim).phase ?? "");
  const vmiName = isObject(vmim.spec) ? String(vmim.spec.vmiName ?? "") : "";
  const vmi = s.io.get(Kind.vmi, ns, vmiName);
  let rt = s.migrations.get(uid);
  if (rt) rt.last = vmim;

  if (phase === "") {
    s.io.setStatus(Kind.vmim, vmim, withPhase({ ...statusOf(vmim) }, "Pending", toKubeTime(now)));
    return;
  }
  if (!vmi || statusOf(vmi).phase !== "Running" || (rt && rt.vmiUid !== vmi.metadata.uid)) {
    if (rt && vmi) finish(s, vmim, vmi, rt, now, true, "Migration failed vmi shutdown during migration.");
    else {
      s.io.event(vmim, "Warning", "FailedMigration", "Migration failed vmi shutdown during migration.", Component.controller);
      setVmimPhase(s, vmim, "Failed", now);
    }
    return;
  }
  if (!rt) {
    const script = readSimScript(vmi.metadata.annotations);
    const sourceNode = String(statusOf(vmi).nodeName ?? "");
    rt = {
      startedAt: now,
      durationMs: script.migrationMs,
      fails: script.migrationFails,
      vmiUid: vmi.metadata.uid ?? "",
      sourceNode,
      sourcePod: activePod(s.io, vmi)?.metadata.name ?? "",
      targetNode: s.placeNode(sourceNode),
      last: vmim,
    };
    s.migrations.set(uid, rt);
  }
  const next = phaseAt.find(([p]) => p !== "Done" && !(statusOf(vmim).phaseTransitionTimestamps as unknown[] | undefined)?.some((e) => isObject(e) && e.phase === p));
  const [name, fraction] = next ?? ["Done", 1];
  if (now < rt.startedAt + fraction * rt.durationMs) return;
  const ts = toKubeTime(now);
  switch (name) {
    case "Scheduling": {
      const pod = s.io.create(Kind.pod, launcherPod(vmi, rt.targetNode, uid));
      rt.targetPod = pod.metadata.name ?? "";
      s.io.setStatus(Kind.pod, pod, launcherPodStatus(pod, "Pending", { ready: false, now, hostIp: s.hostIp(rt.targetNode) }));
      s.io.event(vmim, "Normal", "SuccessfulCreate", `Created migration target pod ${rt.targetPod}`, Component.controller);
      const v = setVmiState(s, vmi, { migrationUid: uid, sourceNode: rt.sourceNode, sourcePod: rt.sourcePod, targetPod: rt.targetPod, mode: "PreCopy", completed: false, failed: false });
      setVmimPhase(s, vmim, "Scheduling", now, v);
      return;
    }
    case "Scheduled": {
      rt.targetIp = s.allocIp(rt.targetNode);
      const pod = rt.targetPod ? s.io.get(Kind.pod, ns, rt.targetPod) : undefined;
      if (pod) s.io.setStatus(Kind.pod, pod, launcherPodStatus(pod, "Running", { ready: true, now, ip: rt.targetIp, hostIp: s.hostIp(rt.targetNode) }));
      let v = s.io.setMeta(Kind.vmi, vmi, (m) => {
        m.labels = { ...m.labels, "kubevirt.io/migrationTargetNodeName": rt.targetNode };
      });
      v = setVmiState(s, v, { targetNode: rt.targetNode });
      setVmimPhase(s, vmim, "Scheduled", now, v);
      return;
    }
    case "PreparingTarget": {
      s.io.event(vmi, "Normal", "PreparingTarget", "VirtualMachineInstance Migration Target Prepared.", Component.handler, rt.targetNode);
      const v = setVmiState(s, vmi, { targetNodeAddress: s.hostIp(rt.targetNode) });
      setVmimPhase(s, vmim, "PreparingTarget", now, v);
      return;
    }
    case "TargetReady": {
      const v = setVmiState(s, vmi, { targetNodeDomainDetected: true, targetNodeDomainReadyTimestamp: ts });
      setVmimPhase(s, vmim, "TargetReady", now, v);
      return;
    }
    case "Running": {
      s.io.event(vmi, "Normal", "Migrating", "VirtualMachineInstance is migrating.", Component.handler, rt.sourceNode);
      const v = setVmiState(s, vmi, { startTimestamp: ts });
      setVmimPhase(s, vmim, "Running", now, v);
      return;
    }
    case "Done":
      if (phase === "Running") finish(s, vmim, vmi, rt, now, rt.fails);
      return;
    default: {
      const never: never = name;
      return never;
    }
  }
}

/** Advances every unfinished migration, and aborts the ones whose VMIM was deleted mid-flight. */
export function reconcileMigrations(s: KubevirtState, now: number): void {
  const live = new Set<string>();
  for (const vmim of s.io.list(Kind.vmim)) {
    live.add(vmim.metadata.uid ?? "");
    const phase = String(statusOf(vmim).phase ?? "");
    if (phase !== "Succeeded" && phase !== "Failed") step(s, vmim, now);
    else s.migrations.delete(vmim.metadata.uid ?? "");
  }
  for (const [uid, rt] of [...s.migrations]) {
    if (live.has(uid)) continue;
    s.migrations.delete(uid);
    const ns = rt.last.metadata.namespace ?? "";
    const vmi = s.io.list(Kind.vmi, ns).find((v) => v.metadata.uid === rt.vmiUid);
    if (rt.targetPod) s.io.remove(Kind.pod, ns, rt.targetPod);
    if (!vmi) continue;
    const v = s.io.setMeta(Kind.vmi, vmi, (m) => {
      if (m.labels) delete m.labels["kubevirt.io/migrationTargetNodeName"];
    });
    s.io.event(v, "Normal", "Migrating", "VirtualMachineInstance is aborting migration.", Component.handler, rt.sourceNode);
    setVmiState(s, v, { endTimestamp: toKubeTime(now), completed: true, failed: true, abortStatus: "Succeeded" });
  }
}

/** The earliest time a migration step becomes due. */
export function migrationNextDue(s: KubevirtState, now: number): number | undefined {
  let next: number | undefined;
  for (const vmim of s.io.list(Kind.vmim)) {
    const rt = s.migrations.get(vmim.metadata.uid ?? "");
    if (!rt) continue;
    const done = new Set(((statusOf(vmim).phaseTransitionTimestamps as unknown[] | undefined) ?? []).map((e) => (isObject(e) ? e.phase : "")));
    const pending = phaseAt.find(([p]) => p === "Done" || !done.has(p));
    if (!pending) continue;
    const at = rt.startedAt + pending[1] * rt.durationMs;
    if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}
