// VMI lifecycle: "" → Pending → Scheduling (launcher pod created) → Scheduled (pod running on a node) →
// Running (Created/Started events, interfaces, conditions) → Ready, with boot failures, readiness delays
// and crashes scripted by sim.siskin.dev annotations. Each step is a normal API write.
import { readSimScript } from "./annotations.js";
import { Component, Kind, conditionStatus, setCondition } from "./controller-io.js";
import { launcherPod, launcherPodStatus } from "./launcher-pod.js";
import { activePod, statusOf, withPhase } from "./kubevirt-state.js";
import { isObject, toKubeTime } from "./types.js";
import type { KubevirtState, VmiRuntime } from "./kubevirt-state.js";
import type { KubeObject } from "./types.js";

const terminal = (phase: unknown): boolean => phase === "Succeeded" || phase === "Failed";

/** Boot timeline fractions of boot-seconds at which each phase begins. */
const bootAt = { Scheduling: 0.25, Scheduled: 0.5, Running: 1 } as const;

function runtimeOf(s: KubevirtState, vmi: KubeObject, now: number): VmiRuntime {
  const uid = vmi.metadata.uid ?? "";
  let rt = s.vmis.get(uid);
  if (!rt) {
    rt = { startedAt: now, last: vmi };
    s.vmis.set(uid, rt);
  }
  rt.last = vmi;
  return rt;
}

function migrationRunning(vmi: KubeObject): boolean {
  const ms = statusOf(vmi).migrationState;
  return isObject(ms) && ms.startTimestamp !== undefined && ms.completed !== true;
}

function desiredReady(vmi: KubeObject, rt: VmiRuntime, now: number): boolean {
  const script = readSimScript(vmi.metadata.annotations);
  if (script.neverReady || rt.runningAt === undefined) return false;
  if (now < rt.runningAt + script.readyDelayMs) return false;
  return !(script.notReadyDuringMigration && migrationRunning(vmi));
}

function syncPod(s: KubevirtState, vmi: KubeObject, phase: "Pending" | "Running" | "Succeeded" | "Failed", ready: boolean, now: number): void {
  const pod = activePod(s.io, vmi);
  if (!pod) return;
  const node = isObject(pod.spec) ? String(pod.spec.nodeName ?? "") : "";
  const ip = typeof statusOf(pod).podIP === "string" ? String(statusOf(pod).podIP) : phase === "Running" ? s.allocIp(node) : undefined;
  const opts: Parameters<typeof launcherPodStatus>[2] = { ready, now, hostIp: s.hostIp(node) };
  if (ip) opts.ip = ip;
  s.io.setStatus(Kind.pod, pod, launcherPodStatus(pod, phase, opts));
}

function fail(s: KubevirtState, vmi: KubeObject, now: number, crashed: boolean): void {
  const ts = toKubeTime(now);
  const status = withPhase(statusOf(vmi), "Failed", ts);
  status.conditions = setCondition(status.conditions, { type: "Ready", status: "False", reason: "PodTerminating", message: "virt-launcher pod is terminating" }, now);
  const node = String(statusOf(vmi).nodeName ?? "");
  if (crashed) s.io.event(vmi, "Warning", "Stopped", "The VirtualMachineInstance crashed.", Component.handler, node);
  else {
    s.io.event(
      vmi,
      "Warning",
      "SyncFailed",
      "server error. command SyncVMI failed: \"LibvirtError(Code=1, Domain=10, Message='internal error: process exited while connecting to monitor')\"",
      Component.handler,
      node,
    );
  }
  syncPod(s, vmi, "Failed", false, now);
  s.io.setStatus(Kind.vmi, vmi, status);
}

function step(s: KubevirtState, vmi: KubeObject, now: number): void {
  const rt = runtimeOf(s, vmi, now);
  const script = readSimScript(vmi.metadata.annotations);
  const status = statusOf(vmi);
  const phase = String(status.phase ?? "");
  const ts = toKubeTime(now);
  const due = (f: number): boolean => now >= rt.startedAt + f * script.bootMs;
  const node = String(status.nodeName ?? "");

  if (phase === "") {
    s.io.setStatus(Kind.vmi, vmi, withPhase({ ...status, guestOSInfo: {}, qosClass: "Burstable", conditions: [] }, "Pending", ts));
    return;
  }
  if (phase === "Pending" && due(bootAt.Scheduling)) {
    const target = s.placeNode();
    const pod = s.io.create(Kind.pod, launcherPod(vmi, target));
    rt.podName = pod.metadata.name ?? "";
    s.io.setStatus(Kind.pod, pod, launcherPodStatus(pod, "Pending", { ready: false, now, hostIp: s.hostIp(target) }));
    s.io.event(vmi, "Normal", "SuccessfulCreate", `Created virtual machine pod ${pod.metadata.name ?? ""}`, Component.controller);
    const next = withPhase(status, "Scheduling", ts);
    next.activePods = { [pod.metadata.uid ?? ""]: target };
    s.io.setStatus(Kind.vmi, vmi, next);
    return;
  }
  if (phase === "Scheduling" && due(bootAt.Scheduled)) {
    const pod = activePod(s.io, vmi);
    const target = pod && isObject(pod.spec) ? String(pod.spec.nodeName ?? s.placeNode()) : s.placeNode();
    syncPod(s, vmi, "Running", false, now);
    const next = withPhase({ ...status, nodeName: target }, "Scheduled", ts);
    next.conditions = setCondition(next.conditions, { type: "Ready", status: "False", reason: "GuestNotRunning", message: "Guest VM is not reported as running" }, now);
    const updated = s.io.setMeta(Kind.vmi, vmi, (m) => {
      m.labels = { ...m.labels, "kubevirt.io/nodeName": target };
    });
    s.io.setStatus(Kind.vmi, updated, next);
    return;
  }
  if (phase === "Scheduled" && due(bootAt.Running)) {
    if (script.failBoot) return fail(s, vmi, now, false);
    rt.runningAt = now;
    s.io.event(vmi, "Normal", "Created", "VirtualMachineInstance defined.", Component.handler, node);
    s.io.event(vmi, "Normal", "Started", "VirtualMachineInstance started.", Component.handler, node);
    const pod = activePod(s.io, vmi);
    const ip = pod ? String(statusOf(pod).podIP ?? "") : "";
    const next = withPhase(status, "Running", ts);
    next.interfaces = [
      { name: "default", interfaceName: "eth0", ipAddress: ip, ipAddresses: [ip], mac: macFor(vmi.metadata.uid ?? ""), infoSource: "domain, guest-agent", queueCount: 1, podInterfaceName: "eth0" },
    ];
    next.migrationMethod = "LiveMigration";
    next.migrationTransport = "Unix";
    next.launcherContainerImageVersion = "quay.io/kubevirt/virt-launcher:v1.6.0";
    next.guestOSInfo = { id: "fedora", name: "Fedora Linux", prettyName: "Fedora Linux 41 (Cloud Edition)", version: "41", versionId: "41", kernelRelease: "6.11.4-301.fc41.x86_64" };
    const ready = desiredReady(vmi, rt, now);
    next.conditions = setCondition(next.conditions, readyCondition(ready), now);
    next.conditions = setCondition(next.conditions, { type: "LiveMigratable", status: "True" }, now);
    next.conditions = setCondition(next.conditions, { type: "AgentConnected", status: "True" }, now);
    syncPod(s, vmi, "Running", ready, now);
    s.io.setStatus(Kind.vmi, vmi, next);
    return;
  }
  if (phase === "Running") {
    rt.runningAt ??= now;
    if (script.crashAfterMs !== rt.crashAfterMs) {
      rt.crashAfterMs = script.crashAfterMs;
      rt.crashArmedAt = now;
    }
    const crashDue = rt.crashAfterMs !== undefined && now >= (rt.crashArmedAt ?? now) + rt.crashAfterMs;
    if (script.crashNow || crashDue) return fail(s, vmi, now, true);
    const ready = desiredReady(vmi, rt, now);
    if ((conditionStatus(status.conditions, "Ready") === "True") !== ready) {
      syncPod(s, vmi, "Running", ready, now);
      s.io.setStatus(Kind.vmi, vmi, { ...status, conditions: setCondition(status.conditions, readyCondition(ready), now) });
    }
  }
}

function readyCondition(ready: boolean): { type: string; status: "True" | "False"; reason?: string; message?: string } {
  return ready
    ? { type: "Ready", status: "True" }
    : { type: "Ready", status: "False", reason: "ContainersNotReady", message: "containers with unready status: [compute]" };
}

function macFor(uid: string): string {
  const hex = uid.replace(/-/g, "").padEnd(10, "0");
  return `02:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}`;
}

/** Advances every VMI whose next step is due, and cleans up after VMIs that were deleted. */
export function reconcileVmis(s: KubevirtState, now: number): void {
  const live = new Set<string>();
  for (const vmi of s.io.list(Kind.vmi)) {
    live.add(vmi.metadata.uid ?? "");
    if (!terminal(statusOf(vmi).phase)) step(s, vmi, now);
    else runtimeOf(s, vmi, now);
  }
  for (const [uid, rt] of [...s.vmis]) {
    if (live.has(uid)) continue;
    s.vmis.delete(uid);
    const last = rt.last;
    if (!terminal(statusOf(last).phase)) {
      s.io.event(last, "Normal", "Deleted", "Signaled Deletion", Component.handler, String(statusOf(last).nodeName ?? ""));
      s.io.event(last, "Normal", "Stopped", "The VirtualMachineInstance was shut down.", Component.handler, String(statusOf(last).nodeName ?? ""));
    }
    if (rt.podName) s.io.event(last, "Normal", "SuccessfulDelete", `Deleted virtual machine pod ${rt.podName}`, Component.controller);
  }
}

/** The earliest time a VMI step becomes due, if any. */
export function vmiNextDue(s: KubevirtState, now: number): number | undefined {
  let next: number | undefined;
  const consider = (t: number): void => {
    if (t > now && (next === undefined || t < next)) next = t;
  };
  for (const vmi of s.io.list(Kind.vmi)) {
    const rt = s.vmis.get(vmi.metadata.uid ?? "");
    if (!rt) continue;
    const script = readSimScript(vmi.metadata.annotations);
    const phase = String(statusOf(vmi).phase ?? "");
    if (phase === "Pending") consider(rt.startedAt + bootAt.Scheduling * script.bootMs);
    if (phase === "Scheduling") consider(rt.startedAt + bootAt.Scheduled * script.bootMs);
    if (phase === "Scheduled") consider(rt.startedAt + bootAt.Running * script.bootMs);
    if (phase === "Running" && rt.runningAt !== undefined) {
      if (!script.neverReady) consider(rt.runningAt + script.readyDelayMs);
      if (rt.crashAfterMs !== undefined) consider((rt.crashArmedAt ?? now) + rt.crashAfterMs);
    }
  }
  return next;
}
