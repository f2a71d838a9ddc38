// VirtualMachine controller: keeps a VMI of the VM's name running or stopped according to
// spec.runStrategy (or spec.running), restarts failed VMIs after the scripted delay, and reports
// printableStatus, ready, created and the Ready condition in the VM's status.
import { readSimScript } from "./annotations.js";
import { Component, Kind, conditionStatus, setCondition } from "./controller-io.js";
import { statusOf, withPhase } from "./kubevirt-state.js";
import { clone, isObject, toKubeTime } from "./types.js";
import type { KubevirtState } from "./kubevirt-state.js";
import type { KubeObject } from "./types.js";

/** runStrategy values. */
export const RunStrategy = {
  always: "Always",
  rerunOnFailure: "RerunOnFailure",
  once: "Once",
  manual: "Manual",
  halted: "Halted",
} as const;
export type RunStrategy = (typeof RunStrategy)[keyof typeof RunStrategy];

/** The effective run strategy: spec.runStrategy, else spec.running true/false, else Halted. */
export function runStrategyOf(vm: KubeObject): RunStrategy {
  const spec = isObject(vm.spec) ? vm.spec : {};
  const rs = spec.runStrategy;
  if (typeof rs === "string" && (Object.values(RunStrategy) as string[]).includes(rs)) return rs as RunStrategy;
  if (spec.running === true) return RunStrategy.always;
  return RunStrategy.halted;
}

function shouldRestart(strategy: RunStrategy, phase: string): boolean {
  if (strategy === RunStrategy.always) return true;
  return strategy === RunStrategy.rerunOnFailure && phase === "Failed";
}

function newVmi(vm: KubeObject): KubeObject {
  const spec = isObject(vm.spec) ? vm.spec : {};
  const template = isObject(spec.template) ? spec.template : {};
  const meta = isObject(template.metadata) ? (template.metadata as KubeObject["metadata"]) : {};
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: {
      name: vm.metadata.name ?? "",
      namespace: vm.metadata.namespace ?? "default",
      labels: { ...meta.labels },
      annotations: {
        ...meta.annotations,
        "kubevirt.io/latest-observed-api-version": "v1",
        "kubevirt.io/storage-observed-api-version": "v1",
        "kubevirt.io/vm-generation": String(vm.metadata.generation ?? 1),
      },
      ownerReferences: [
        { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: vm.metadata.name ?? "", uid: vm.metadata.uid ?? "", controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: clone(isObject(template.spec) ? template.spec : {}),
  };
}

/** Stops a VMI the way a graceful shutdown ends: Succeeded, shutdown events, then deleted with its pod. */
function stopVmi(s: KubevirtState, vm: KubeObject, vmi: KubeObject, now: number): void {
  const node = String(statusOf(vmi).nodeName ?? "");
  s.io.event(vm, "Normal", "SuccessfulDelete", `Stopped the virtual machine by deleting the virtual machine instance ${vmi.metadata.uid ?? ""}`, Component.controller);
  if (!["Succeeded", "Failed"].includes(String(statusOf(vmi).phase))) {
    s.io.event(vmi, "Normal", "ShuttingDown", "Signaled Graceful Shutdown", Component.handler, node);
    const status = withPhase(statusOf(vmi), "Succeeded", toKubeTime(now));
    status.conditions = setCondition(status.conditions, { type: "Ready", status: "False", reason: "PodTerminating", message: "virt-launcher pod is terminating" }, now);
    s.io.setStatus(Kind.vmi, vmi, status);
    s.io.event(vmi, "Normal", "Stopped", "The VirtualMachineInstance was shut down.", Component.handler, node);
  }
  // Shutdown events are recorded here; the VMI controller must not repeat them when it sees the VMI gone.
  const rt = s.vmis.get(vmi.metadata.uid ?? "");
  if (rt) rt.last = { ...vmi, status: { ...statusOf(vmi), phase: "Succeeded" } };
  s.io.remove(Kind.vmi, vmi.metadata.namespace ?? "", vmi.metadata.name ?? "");
}

function printableStatus(vmi: KubeObject | undefined, restartPending: boolean): string {
  if (!vmi) return "Stopped";
  const st = statusOf(vmi);
  const ms = st.migrationState;
  switch (String(st.phase ?? "")) {
    case "Running":
      return isObject(ms) && ms.completed !== true ? "Migrating" : "Running";
    case "Failed":
      return restartPending ? "CrashLoopBackOff" : "Stopped";
    case "Succeeded":
      return restartPending ? "Starting" : "Stopped";
    default:
      return "Starting";
  }
}

function reconcileVm(s: KubevirtState, vm: KubeObject, now: number): void {
  const uid = vm.metadata.uid ?? "";
  const rt = s.vms.get(uid) ?? {};
  s.vms.set(uid, rt);
  const strategy = runStrategyOf(vm);
  const ns = vm.metadata.namespace ?? "";
  let vmi = s.io.get(Kind.vmi, ns, vm.metadata.name ?? "");
  const owned = vmi?.metadata.ownerReferences?.some((r) => r.uid === uid) ?? false;
  let restartPending = false;

  if (strategy === RunStrategy.halted && vmi && owned) {
    stopVmi(s, vm, vmi, now);
    vmi = undefined;
  } else if (strategy !== RunStrategy.halted && strategy !== RunStrategy.manual) {
    const phase = String(vmi ? (statusOf(vmi).phase ?? "") : "");
    if (vmi && owned && (phase === "Failed" || phase === "Succeeded") && shouldRestart(strategy, phase)) {
      if (rt.terminalVmiUid !== vmi.metadata.uid) {
        rt.terminalVmiUid = vmi.metadata.uid ?? "";
        rt.terminalSince = now;
      }
      const delay = readSimScript(vmi.metadata.annotations).restartDelayMs;
      if (now >= (rt.terminalSince ?? now) + delay) {
        s.io.event(vm, "Normal", "SuccessfulDelete", `Stopped the virtual machine by deleting the virtual machine instance ${vmi.metadata.uid ?? ""}`, Component.controller);
        s.io.remove(Kind.vmi, ns, vm.metadata.name ?? "");
        vmi = undefined;
      } else restartPending = true;
    }
    const mayStart = strategy !== RunStrategy.once || !rt.ranOnce;
    if (!vmi && mayStart) {
      vmi = s.io.create(Kind.vmi, newVmi(vm));
      rt.ranOnce = true;
      s.io.event(vm, "Normal", "SuccessfulCreate", `Started the virtual machine by creating the new virtual machine instance ${vmi.metadata.name ?? ""}`, Component.controller);
    }
  }

  const vmiStatus = vmi ? statusOf(vmi) : {};
  const ready = conditionStatus(vmiStatus.conditions, "Ready") === "True";
  const prev = statusOf(vm);
  let conditions = setCondition(
    prev.conditions,
    vmi
      ? ready
        ? { type: "Ready", status: "True" }
        : { type: "Ready", status: "False", reason: "PodNotReady", message: "VMI is not ready" }
      : { type: "Ready", status: "False", reason: "VMINotExists", message: "VMI does not exist" },
    now,
  );
  const ready2 = conditions.find((c) => c.type === "Ready");
  const vmiReady = Array.isArray(vmiStatus.conditions) ? vmiStatus.conditions.find((c) => isObject(c) && c.type === "Ready") : undefined;
  if (ready2 && isObject(vmiReady) && vmiReady.status === ready2.status && typeof vmiReady.lastTransitionTime === "string") {
    ready2.lastTransitionTime = vmiReady.lastTransitionTime;
    conditions = conditions.map((c) => (c.type === "Ready" ? ready2 : c));
  }
  const status: Record<string, unknown> = {
    ...prev,
    printableStatus: printableStatus(vmi, restartPending),
    ready,
    created: vmi !== undefined,
    conditions,
    desiredGeneration: vm.metadata.generation ?? 1,
    observedGeneration: vm.metadata.generation ?? 1,
    runStrategy: strategy,
  };
  if (!status.ready) delete status.ready;
  if (!status.created) delete status.created;
  s.io.setStatus(Kind.vm, vm, status);
}

/** Reconciles every VM once. */
export function reconcileVms(s: KubevirtState, now: number): void {
  const live = new Set<string>();
  for (const vm of s.io.list(Kind.vm)) {
    live.add(vm.metadata.uid ?? "");
    reconcileVm(s, vm, now);
  }
  for (const uid of [...s.vms.keys()]) if (!live.has(uid)) s.vms.delete(uid);
}

/** The earliest time a pending VM restart becomes due. */
export function vmNextDue(s: KubevirtState, now: number): number | undefined {
  let next: number | undefined;
  for (const vm of s.io.list(Kind.vm)) {
    const rt = s.vms.get(vm.metadata.uid ?? "");
    const vmi = s.io.get(Kind.vmi, vm.metadata.namespace ?? "", vm.metadata.name ?? "");
    if (!rt || rt.terminalSince === undefined || !vmi || rt.terminalVmiUid !== vmi.metadata.uid) continue;
    const at = rt.terminalSince + readSimScript(vmi.metadata.annotations).restartDelayMs;
    if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}
