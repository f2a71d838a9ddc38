// The virt-launcher pod of a VMI, labelled the way KubeVirt's template service labels it
// (pkg/virt-controller/services/template.go), which is what Istio and Services select on.
import { createHash } from "node:crypto";
import { isObject, toKubeTime } from "./types.js";
import type { KubeObject } from "./types.js";

/** `vmi.kubevirt.io/id`: the name, or a 54-char prefix plus an 8-hex sha1 when longer than 63. */
export function vmiIdLabel(name: string): string {
  if (name.length <= 63) return name;
  return `${name.slice(0, 54)}-${createHash("sha1").update(name).digest("hex").slice(0, 8)}`;
}

/** `vm.kubevirt.io/name`: spec.hostname, else the name up to the first dot, at most 63 characters. */
export function hostnameLabel(vmi: KubeObject): string {
  const spec = isObject(vmi.spec) ? vmi.spec : {};
  if (typeof spec.hostname === "string" && spec.hostname !== "") return spec.hostname;
  return (vmi.metadata.name ?? "").split(".")[0]?.slice(0, 63) ?? "";
}

const usesMasquerade = (vmi: KubeObject): boolean => {
  const ifaces = (vmi.spec as { domain?: { devices?: { interfaces?: unknown[] } } } | undefined)?.domain?.devices?.interfaces;
  return Array.isArray(ifaces) && ifaces.some((i) => isObject(i) && i.masquerade !== undefined);
};

/** A new virt-launcher pod for the VMI on `node`; `migrationJobUid` marks a migration target pod. */
export function launcherPod(vmi: KubeObject, node: string, migrationJobUid?: string): KubeObject {
  const name = vmi.metadata.name ?? "";
  const inject = vmi.metadata.annotations?.["sidecar.istio.io/inject"];
  const labels: Record<string, string> = {
    ...vmi.metadata.labels,
    "kubevirt.io": "virt-launcher",
    "kubevirt.io/created-by": vmi.metadata.uid ?? "",
    "vm.kubevirt.io/name": hostnameLabel(vmi),
    "vmi.kubevirt.io/id": vmiIdLabel(name),
  };
  delete labels["kubevirt.io/migrationTargetNodeName"];
  if (inject !== undefined) labels["sidecar.istio.io/inject"] = inject;
  if (migrationJobUid) labels["kubevirt.io/migrationJobUID"] = migrationJobUid;
  const annotations: Record<string, string> = {
    "kubevirt.io/domain": name,
    "kubectl.kubernetes.io/default-container": "compute",
  };
  if (usesMasquerade(vmi)) {
    annotations["traffic.sidecar.istio.io/kubevirtInterfaces"] = "k6t-eth0";
    annotations["istio.io/reroute-virtual-interfaces"] = "k6t-eth0";
  }
  const containers: Array<Record<string, unknown>> = [{ name: "compute", image: "quay.io/kubevirt/virt-launcher:v1.6.0" }];
  if (inject === "true") containers.push({ name: "istio-proxy", image: "docker.io/istio/proxyv2:1.26.0" });
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `virt-launcher-${name}-`,
      namespace: vmi.metadata.namespace ?? "default",
      labels,
      annotations,
      ownerReferences: [
        { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", name, uid: vmi.metadata.uid ?? "", controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { nodeName: node, containers, hostname: hostnameLabel(vmi), restartPolicy: "Never", schedulerName: "default-scheduler", serviceAccountName: "default" },
  };
}

/** Pod status for a phase; `ready` drives the Ready and ContainersReady conditions. */
export function launcherPodStatus(
  pod: KubeObject,
  phase: "Pending" | "Running" | "Succeeded" | "Failed",
  opts: { ip?: string; hostIp?: string; ready: boolean; now: number },
): Record<string, unknown> {
  const prev = isObject(pod.status) ? pod.status : {};
  const t = toKubeTime(opts.now);
  const prevConds = Array.isArray(prev.conditions) ? prev.conditions.filter(isObject) : [];
  const cond = (type: string, ok: boolean): Record<string, unknown> => {
    const old = prevConds.find((c) => c.type === type);
    const status = ok ? "True" : "False";
    return { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : t };
  };
  const running = phase === "Running";
  const containers = (isObject(pod.spec) && Array.isArray(pod.spec.containers) ? pod.spec.containers : []).filter(isObject);
  const status: Record<string, unknown> = {
    phase,
    conditions: [cond("PodReadyToStartContainers", running), cond("Initialized", true), cond("Ready", opts.ready), cond("ContainersReady", opts.ready), cond("PodScheduled", true)],
    qosClass: "Burstable",
    startTime: prev.startTime ?? t,
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      ready: running && (c.name !== "compute" || opts.ready),
      started: running,
      restartCount: 0,
      state: running ? { running: { startedAt: prev.startTime ?? t } } : phase === "Pending" ? { waiting: { reason: "ContainerCreating" } } : { terminated: { exitCode: phase === "Failed" ? 1 : 0, reason: phase === "Failed" ? "Error" : "Completed" } },
    })),
  };
  if (opts.hostIp) {
    status.hostIP = opts.hostIp;
    status.hostIPs = [{ ip: opts.hostIp }];
  }
  if (opts.ip) {
    status.podIP = opts.ip;
    status.podIPs = [{ ip: opts.ip }];
  }
  return status;
}
