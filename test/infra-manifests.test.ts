// The kustomize base and overlays as the real kubectl renders them: one hardened Deployment per worker,
// Services for the webhook workers, least-privilege RBAC, the NATS cluster, and KEDA ScaledObjects on
// each worker's own JetStream consumers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Consumer, type ConsumerName } from "../schemas/subjects.js";
import { consumerDurables, natsPasswordEnv, workerAccess } from "../scripts/lib/nats-permissions.js";
import { workers } from "../scripts/lib/k8s/workers.js";
import { renderNamespacedOverlay } from "../scripts/lib/k8s/namespaced.js";
import { kustomize, ofKind, one, root, type Obj } from "./infra-tools.test-util.js";

let base: Obj[];
let keda: Obj[];
let production: Obj[];

beforeAll(async () => {
  [base, keda, production] = await Promise.all([
    kustomize("infra/k8s"),
    kustomize("infra/k8s/overlays/keda"),
    kustomize("infra/k8s/overlays/production"),
  ]);
});

const container = (d: Obj) => d.spec.template.spec.containers[0];
const envOf = (d: Obj, name: string) => (container(d).env as Array<Record<string, any>>).find((e) => e.name === name);

describe("kustomize base infra/k8s", () => {
  it("puts everything namespaced in the siskin namespace, with the CRD and the namespace", () => {
    expect(one(base, "Namespace", "siskin").metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(one(base, "CustomResourceDefinition", "vmrollouts.siskin.dev").spec.versions[0].subresources).toEqual({ status: {} });
    const clusterScoped = new Set(["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"]);
    for (const o of base) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBeUndefined();
      else expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe("siskin");
    }
  });

  it.each(workers.map((w) => [w.name]))("runs %s as a hardened Deployment with probes, resources and scrape annotations", (name) => {
    const d = one(base, "Deployment", `siskin-${name}`);
    const pod = d.spec.template.spec;
    const c = container(d);
    expect(c.image).toBe("ghcr.io/siskin-dev/siskin:0.1.0");
    expect(c.args).toEqual(["serve", name]);
    expect(pod.serviceAccountName).toBe(`siskin-${name}`);
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.resources.requests.cpu).toBeDefined();
    expect(c.resources.requests.memory).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    // tsx needs a writable /tmp under a read-only root filesystem.
    expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(d.spec.template.metadata.annotations).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "8080", "prometheus.io/path": "/metrics" });
    expect(c.ports).toContainEqual({ name: "http", containerPort: 8080, protocol: "TCP" });
    expect(envOf(d, "SISKIN_NATS_USER")?.value).toBe(name);
    expect(envOf(d, "SISKIN_NATS_PASS")?.valueFrom).toEqual({ secretKeyRef: { name: "siskin-nats-users", key: name } });
    expect(envOf(d, "SISKIN_NATS_SERVERS")?.value).toBe("nats://siskin-nats:4222");
    expect(envOf(d, "SISKIN_HTTP_HOST")?.value).toBe("0.0.0.0");
    // No replicas field: KEDA's HPA owns the count when the keda overlay is applied.
    expect(d.spec.replicas).toBeUndefined();
  });

  it("has a Service for exactly the three webhook workers and the dashboard, pointing at a declared container port", () => {
    const services = ofKind(base, "Service").map((s) => s.metadata.name).filter((n) => !n.startsWith("siskin-nats"));
    expect(services.sort()).toEqual(["siskin-alert-ingest", "siskin-approval-gateway", "siskin-dashboard", "siskin-release-trigger"]);
    for (const name of services) {
      const s = one(base, "Service", name);
      const d = one(base, "Deployment", name);
      expect(s.spec.selector).toEqual(d.spec.selector.matchLabels);
      const target = s.spec.ports[0].targetPort as string;
      expect(container(d).ports.map((p: { name: string }) => p.name)).toContain(target);
    }
  });

  it("has a ServiceAccount per worker; only workers that call the API server get a token", () => {
    for (const w of workers) {
      const sa = one(base, "ServiceAccount", `siskin-${w.name}`);
      const d = one(base, "Deployment", `siskin-${w.name}`);
      expect(sa.automountServiceAccountToken).toBe(w.rules.length > 0);
      expect(d.spec.template.spec.automountServiceAccountToken).toBe(w.rules.length > 0);
    }
  });

  it("runs NATS as 3 JetStream servers with the generated users and a password variable for each", () => {
    const sts = one(base, "StatefulSet", "siskin-nats");
    expect(sts.spec.replicas).toBe(3);
    one(base, "Service", sts.spec.serviceName);
    const cm = ofKind(base, "ConfigMap").find((c) => c.metadata.name.startsWith("siskin-nats-config-"));
    expect(cm?.data["nats.conf"]).toBe(readFileSync(join(root, "infra/k8s/nats/nats-cluster.conf"), "utf8"));
    expect(cm?.data["authorization.conf"]).toBe(readFileSync(join(root, "infra/nats/authorization.conf"), "utf8"));
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: "config", configMap: { name: cm?.metadata.name } });
    const vars = [...(cm?.data["authorization.conf"] as string).matchAll(/\$(SISKIN_NATS_PASSWORD_[A-Z0-9_]+)/g)].map((m) => m[1]);
    const env = (container(sts).env as Array<{ name: string }>).map((e) => e.name);
    expect(vars.length).toBe(Object.keys(workerAccess).length + 1);
    for (const v of vars) expect(env).toContain(v);
    expect(env).toContain("POD_NAME");
    // Routes name every server through the headless service.
    for (let i = 0; i < 3; i++) expect(cm?.data["nats.conf"]).toContain(`nats://siskin-nats-${i}.${sts.spec.serviceName}:6222`);
    expect(cm?.data["nats.conf"]).toMatch(/^server_name: \$POD_NAME$/m);
  });

  it("gives each worker a NATS password variable name the server config reads", () => {
    for (const w of workers) expect(readFileSync(join(root, "infra/nats/authorization.conf"), "utf8")).toContain(`$${natsPasswordEnv(w.name)}`);
  });
});

describe("RBAC: least privilege per worker", () => {
  type Grant = { sa: string; group: string; resource: string; verb: string };
  let grants: Grant[];
  beforeAll(() => {
    grants = [];
    for (const b of ofKind(base, "ClusterRoleBinding")) {
      const role = one(base, "ClusterRole", b.roleRef.name);
      for (const s of b.subjects as Array<{ kind: string; name: string; namespace: string }>) {
        expect(s).toMatchObject({ kind: "ServiceAccount", namespace: "siskin" });
        for (const r of role.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>) {
          for (const group of r.apiGroups) for (const resource of r.resources) for (const verb of r.verbs) grants.push({ sa: s.name.replace(/^siskin-/, ""), group, resource, verb });
        }
      }
    }
  });
  const who = (group: string, resource: string, verb: string) =>
    [...new Set(grants.filter((g) => g.group === group && g.resource === resource && g.verb === verb).map((g) => g.sa))].sort();

  it("grants no wildcards", () => {
    for (const g of grants) expect([g.group, g.resource, g.verb]).not.toContain("*");
  });

  it("lets only traffic-router write VirtualServices and DestinationRules, and nobody create or delete them", () => {
    for (const resource of ["virtualservices", "destinationrules"]) {
      for (const verb of ["update", "patch"]) expect(who("networking.istio.io", resource, verb)).toEqual(["traffic-router"]);
      for (const verb of ["create", "delete", "deletecollection"]) expect(who("networking.istio.io", resource, verb)).toEqual([]);
    }
    // vm-provisioner's preflight reads the DestinationRule; nobody else but traffic-router touches it.
    expect(who("networking.istio.io", "destinationrules", "get")).toEqual(["traffic-router", "vm-provisioner"]);
    expect(who("networking.istio.io", "virtualservices", "get")).toEqual(["k8s-watcher", "traffic-router"]);
  });

  it("lets only vm-provisioner create, patch and delete VirtualMachines, and read Services", () => {
    expect(new Set(grants.filter((g) => g.sa === "vm-provisioner").map((g) => g.verb))).toEqual(new Set(["get", "list", "watch", "create", "patch", "delete"]));
    for (const verb of ["create", "patch", "delete"]) expect(who("kubevirt.io", "virtualmachines", verb)).toEqual(["vm-provisioner"]);
    expect(who("", "services", "get")).toEqual(["vm-provisioner"]);
    expect(who("", "services", "update")).toEqual([]);
  });

  it("keeps k8s-watcher read-only on VMIs, migrations, Events, VirtualServices and VMRollouts; it writes only VMRollout status (SpecValid)", () => {
    const mine = grants.filter((g) => g.sa === "k8s-watcher");
    const reads = mine.filter((g) => g.resource !== "vmrollouts/status");
    expect(new Set(reads.map((g) => g.verb))).toEqual(new Set(["get", "list", "watch"]));
    expect(new Set(reads.map((g) => `${g.resource}.${g.group}`))).toEqual(
      new Set(["virtualmachineinstances.kubevirt.io", "virtualmachineinstancemigrations.kubevirt.io", "events.", "virtualservices.networking.istio.io", "vmrollouts.siskin.dev"]),
    );
    expect(mine.filter((g) => g.resource === "vmrollouts/status").map((g) => g.verb).sort()).toEqual(["get", "update"]);
  });

  it("lets status-writer (and the watcher, for SpecValid) write VMRollout status, status-writer create Events, nobody the spec", () => {
    expect(who("siskin.dev", "vmrollouts/status", "update")).toEqual(["k8s-watcher", "status-writer"]);
    expect(who("siskin.dev", "vmrollouts/status", "patch")).toEqual(["status-writer"]);
    expect(who("", "events", "create")).toEqual(["status-writer"]);
    for (const verb of ["update", "patch", "create", "delete"]) expect(who("siskin.dev", "vmrollouts", verb)).toEqual([]);
  });

  it("lets release-trigger only read VMRollouts", () => {
    const mine = grants.filter((g) => g.sa === "release-trigger");
    expect(mine.map((g) => `${g.verb} ${g.resource}.${g.group}`).sort()).toEqual(["get vmrollouts.siskin.dev", "list vmrollouts.siskin.dev"]);
  });

  it("binds no role to the workers that never call the API server", () => {
    const bound = new Set(grants.map((g) => g.sa));
    for (const w of ["metrics-analyzer", "alert-ingest", "approval-gateway", "notifier"]) expect(bound.has(w)).toBe(false);
  });

  it("lets the orchestrator only get VMRollouts (a release's spec is read from the API server)", () => {
    const mine = grants.filter((g) => g.sa === "orchestrator");
    expect(mine.map((g) => `${g.verb} ${g.resource}.${g.group}`)).toEqual(["get vmrollouts.siskin.dev"]);
  });
});

describe("KEDA overlay infra/k8s/overlays/keda", () => {
  const expectedMin: Record<string, number> = {
    "vm-provisioner": 0,
    "traffic-router": 0,
    notifier: 0,
    "status-writer": 0,
    orchestrator: 1,
    "metrics-analyzer": 1,
    "alert-ingest": 1,
    "release-trigger": 1,
    "approval-gateway": 1,
    dashboard: 1,
  };

  it("adds only ScaledObjects to the base", () => {
    const extra = keda.filter((o) => !base.some((b) => b.kind === o.kind && b.metadata.name === o.metadata.name));
    expect(new Set(extra.map((o) => o.kind))).toEqual(new Set(["ScaledObject"]));
    expect(extra.length).toBe(Object.keys(expectedMin).length);
  });

  it.each(Object.entries(expectedMin))("scales %s with minReplicaCount %i on its own consumers' backlog", (name, min) => {
    const so = one(keda, "ScaledObject", `siskin-${name}`);
    expect(so.metadata.namespace).toBe("siskin");
    expect(so.spec.minReplicaCount).toBe(min);
    expect(so.spec.maxReplicaCount).toBeGreaterThan(min);
    if (min > 0) expect(so.metadata.annotations?.["siskin.dev/min-replicas-reason"]).toMatch(/^.{20,}$/);
    one(keda, "Deployment", so.spec.scaleTargetRef.name);
    const w = workers.find((x) => x.name === name);
    const nats = (so.spec.triggers as Array<{ type: string; metadata: Record<string, string> }>).filter((t) => t.type === "nats-jetstream");
    expect(nats.map((t) => t.metadata.consumer).sort()).toEqual([...(w?.consumers ?? [])].sort());
    const sts = one(keda, "StatefulSet", "siskin-nats");
    for (const t of nats) {
      const c = t.metadata.consumer as ConsumerName;
      expect(t.metadata.stream).toBe(Consumer[c].stream);
      // The durable name KEDA reads is the one provision creates.
      expect(consumerDurables(c)).toEqual([c]);
      expect(t.metadata).toMatchObject({ account: "$G", useHttps: "false" });
      expect(Number(t.metadata.lagThreshold)).toBeGreaterThan(0);
      // KEDA reaches each server as <pod>.<headless service host>: the endpoint must be the StatefulSet's service.
      expect(t.metadata.natsServerMonitoringEndpoint).toBe(`${sts.spec.serviceName}.siskin.svc.cluster.local:8222`);
    }
    if (nats.length === 0) expect(so.spec.triggers.map((t: { type: string }) => t.type)).toEqual(["cpu"]);
  });

  it("leaves k8s-watcher unscaled: one watcher, replaced with Recreate", () => {
    expect(ofKind(keda, "ScaledObject", "siskin-k8s-watcher")).toEqual([]);
    expect(one(keda, "Deployment", "siskin-k8s-watcher").spec.strategy).toEqual({ type: "Recreate" });
  });
});

describe("production overlay infra/k8s/overlays/production", () => {
  it("adds the Prometheus Operator objects and kube-state-metrics' VMRollout config to the KEDA overlay", () => {
    const extra = production.filter((o) => !keda.some((b) => b.kind === o.kind && b.metadata.name === o.metadata.name));
    expect(extra.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "AlertmanagerConfig/siskin",
      "ClusterRole/siskin-kube-state-metrics",
      "ConfigMap/siskin-kube-state-metrics",
      "PodMonitor/siskin-workers",
      "PrometheusRule/siskin",
    ]);
    const amc = one(production, "AlertmanagerConfig", "siskin");
    const url = new URL(amc.spec.receivers[0].webhookConfigs[0].url);
    expect(url.hostname).toBe("siskin-alert-ingest.siskin.svc");
    expect(url.pathname).toBe("/webhooks/alertmanager");
    expect(one(production, "Service", "siskin-alert-ingest").spec.ports[0].port).toBe(Number(url.port || 80));
  });
});

// Issue 14, finding 6: NATS admits only Siskin's pods; every worker admits ingress only where something must reach it.
describe("NetworkPolicies", () => {
  const monitoringOnly = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "keda" } } }, { namespaceSelector: { matchLabels: { "siskin.dev/monitoring": "true" } } }];

  it("NATS clients on 4222 are Siskin's pods only; monitoring 8222 only KEDA and monitoring namespaces", () => {
    const ingress = one(base, "NetworkPolicy", "siskin-nats").spec.ingress as Array<Record<string, any>>;
    const byPort = (p: number) => ingress.find((r) => (r.ports as Array<{ port: number }>).some((x) => x.port === p));
    expect(byPort(4222)?.from).toEqual([{ podSelector: { matchLabels: { "app.kubernetes.io/name": "siskin" } } }]);
    expect(byPort(8222)?.from).toEqual(monitoringOnly);
    for (const r of ingress) expect(r.from, "no rule admits every pod").toBeDefined();
  });

  it.each(workers.map((w) => [w.name, w.service?.port]))("%s admits its metrics port from monitoring, and only its webhook port besides", (name, webPort) => {
    const p = one(base, "NetworkPolicy", `siskin-${name}`);
    expect(p.spec.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/name": "siskin", "app.kubernetes.io/component": name } });
    expect(p.spec.policyTypes).toEqual(["Ingress"]);
    const ingress = p.spec.ingress as Array<Record<string, any>>;
    expect(ingress.find((r) => r.ports[0].port === 8080)?.from).toEqual(monitoringOnly);
    expect(ingress.map((r) => r.ports[0].port).sort()).toEqual([8080, ...(webPort === undefined ? [] : [webPort])].sort());
  });
});

// Issue 14, finding 8: the namespaced install binds each worker's ClusterRole only in the listed namespaces.
describe("namespaced install infra/k8s/overlays/namespaced (generated for bookinfo)", () => {
  let objs: Obj[];
  beforeAll(async () => {
    objs = await kustomize("infra/k8s/overlays/namespaced");
  });

  it("has no ClusterRoleBinding and one RoleBinding per worker with rules in each listed namespace", () => {
    expect(ofKind(objs, "ClusterRoleBinding")).toEqual([]);
    const bindings = ofKind(objs, "RoleBinding");
    const withRules = workers.filter((w) => w.rules.length > 0).map((w) => `siskin-${w.name}`).sort();
    expect(bindings.map((b) => b.metadata.name).sort()).toEqual(withRules);
    for (const b of bindings) {
      expect(b.metadata.namespace).toBe("bookinfo");
      expect(b.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: b.metadata.name });
      expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: b.metadata.name, namespace: "siskin" }]);
    }
  });

  it("tells release-trigger and k8s-watcher which namespaces to read, keeping the rest of their environment", () => {
    for (const name of ["release-trigger", "k8s-watcher"]) {
      const d = one(objs, "Deployment", `siskin-${name}`);
      expect(envOf(d, "SISKIN_NAMESPACES")?.value).toBe("bookinfo");
      expect(envOf(d, "SISKIN_NATS_USER")?.value).toBe(name);
    }
  });

  it("renders for any list of namespaces and refuses none or a bad name", () => {
    const files = renderNamespacedOverlay(["a", "b-2"]);
    expect(files["rolebindings.yaml"]?.match(/kind: RoleBinding/g)).toHaveLength(2 * workers.filter((w) => w.rules.length > 0).length);
    expect(() => renderNamespacedOverlay([])).toThrow(/at least one namespace/);
    expect(() => renderNamespacedOverlay(["Bad_NS"])).toThrow(/not a namespace name/);
  });
});
