// The mesh's view of the cluster: which VMIs are workloads, their Istio identity (as Istio derives it
// from the virt-launcher pod), their scripted behaviour, and which Services select them. Pure.
import { parseBehaviour, type Behaviour } from "./behaviour.js";
import { timeMs, type MeshObjects, type Pod, type Service, type Vmi } from "./types.js";

/** Istio's cluster domain suffix. */
export const DomainSuffix = "svc.cluster.local";

/** The identity Istio reports for a workload (tech-facts §1.7). */
export interface WorkloadIdentity {
  /** `destination_workload`: the VMI name (the virt-launcher pod's controller), or label `service.istio.io/workload-name`. */
  workload: string;
  namespace: string;
  /** `app` label, else "unknown". */
  app: string;
  /** `version` label, else "unknown". */
  version: string;
  /** First of `service.istio.io/canonical-name`, `app.kubernetes.io/name`, `app`; else the workload name. */
  canonicalService: string;
  /** First of `service.istio.io/canonical-revision`, `app.kubernetes.io/version`, `version`; else "latest". */
  canonicalRevision: string;
  /** `spiffe://cluster.local/ns/<ns>/sa/<serviceAccount>` (the pod's account, "default" without one). */
  principal: string;
}

/** A VMI as the mesh sees it. */
export interface Workload {
  /** VMI name. */
  name: string;
  namespace: string;
  uid: string;
  /** VMI labels: what Service selectors and DestinationRule subsets match. */
  labels: Record<string, string>;
  phase: string;
  node: string;
  /** Running with condition Ready=True: only then is it an endpoint. */
  ready: boolean;
  /** When Ready last became True (epoch ms). */
  readySinceMs: number | undefined;
  /** status.migrationState present and not completed. */
  migrating: boolean;
  identity: WorkloadIdentity;
  behaviour: Behaviour;
  /** Annotation problems, reported once per change. */
  problems: string[];
  /** The virt-launcher pod name, when the cluster has one. */
  podName: string | undefined;
}

/** A Kubernetes Service as the mesh sees it. */
export interface MeshService {
  name: string;
  namespace: string;
  /** `<name>.<namespace>.svc.cluster.local`. */
  fqdn: string;
  /** Selector; a Service without one selects nothing. */
  selector: Record<string, string> | undefined;
}

/** The derived view the router works on. */
export interface MeshView {
  workloads: Workload[];
  services: MeshService[];
}

/** `<name>.<namespace>.svc.cluster.local`. */
export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.${DomainSuffix}`;
}

/** True when every key/value of the selector is among the labels (an empty selector matches all). */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function launcherPod(vmi: Vmi, pods: Pod[]): Pod | undefined {
  const mine = pods.filter(
    (p) =>
      p.metadata.namespace === vmi.metadata.namespace &&
      (p.metadata.ownerReferences ?? []).some((o) => o.kind === "VirtualMachineInstance" && o.name === vmi.metadata.name),
  );
  // During a migration two launcher pods exist; the source (no migration-job label) carries the identity.
  return mine.find((p) => p.metadata.labels?.["kubevirt.io/migrationJobUID"] === undefined) ?? mine[0];
}

function first(labels: Record<string, string>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = labels[k];
    if (v !== undefined && v !== "") return v;
  }
  return undefined;
}

/** Istio's identity for a VMI, from its launcher pod's labels when known, else from the VMI's (which the pod copies). */
export function identityOf(vmi: Vmi, pod: Pod | undefined): WorkloadIdentity {
  const name = vmi.metadata.name ?? "unknown";
  const namespace = vmi.metadata.namespace ?? "default";
  const labels = { ...(vmi.metadata.labels ?? {}), ...(pod?.metadata.labels ?? {}) };
  const workload = first(labels, ["service.istio.io/workload-name"]) ?? name;
  const sa = pod?.spec?.serviceAccountName ?? "default";
  return {
    workload,
    namespace,
    app: labels["app"] ?? "unknown",
    version: labels["version"] ?? "unknown",
    canonicalService: first(labels, ["service.istio.io/canonical-name", "app.kubernetes.io/name", "app"]) ?? workload,
    canonicalRevision: first(labels, ["service.istio.io/canonical-revision", "app.kubernetes.io/version", "version"]) ?? "latest",
    principal: `spiffe://cluster.local/ns/${namespace}/sa/${sa}`,
  };
}

/** Builds one workload from its VMI (and launcher pod, when present). */
export function toWorkload(vmi: Vmi, pods: Pod[]): Workload {
  const conditions = vmi.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  const phase = vmi.status?.phase ?? "";
  const migration = vmi.status?.migrationState;
  const pod = launcherPod(vmi, pods);
  const { behaviour, problems } = parseBehaviour(vmi.metadata.annotations ?? {});
  return {
    name: vmi.metadata.name ?? "",
    namespace: vmi.metadata.namespace ?? "default",
    uid: vmi.metadata.uid ?? "",
    labels: vmi.metadata.labels ?? {},
    phase,
    node: vmi.status?.nodeName ?? "",
    ready: phase === "Running" && ready?.status === "True",
    readySinceMs: ready?.status === "True" ? timeMs(ready.lastTransitionTime) : undefined,
    migrating: migration !== undefined && migration !== null && migration.completed !== true && migration.failed !== true,
    identity: identityOf(vmi, pod),
    behaviour,
    problems,
    podName: pod?.metadata.name,
  };
}

function toService(s: Service): MeshService {
  const name = s.metadata.name ?? "";
  const namespace = s.metadata.namespace ?? "default";
  const selector = s.spec?.selector ?? undefined;
  return { name, namespace, fqdn: serviceFqdn(name, namespace), selector: selector ?? undefined };
}

/** Derives the view from the watched objects; workloads and services are sorted by namespace and name. */
export function buildView(objects: MeshObjects): MeshView {
  const byKey = <T extends { namespace: string; name: string }>(a: T, b: T) =>
    a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1;
  return {
    workloads: objects.vmis.map((v) => toWorkload(v, objects.pods)).sort(byKey),
    services: objects.services.map(toService).sort(byKey),
  };
}

/** The Ready workloads a Service selects (same namespace, selector ⊆ VMI labels), in name order. */
export function endpointsOf(view: MeshView, service: MeshService): Workload[] {
  const selector = service.selector;
  if (selector === undefined || Object.keys(selector).length === 0) return [];
  return view.workloads.filter((w) => w.ready && w.namespace === service.namespace && selects(selector, w.labels));
}
