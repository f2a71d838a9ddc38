// `kubectl apply -k` of the base, the overlays and the BookInfo sample against the cluster simulator,
// with kubectl's client-side validation on (the simulator serves OpenAPI), then read back with kubectl
// and client-node.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { workers } from "../../scripts/lib/k8s/workers.js";
import { kustomize, ofKind, run, tempDir, type Obj } from "../infra-tools.test-util.js";

let sim: RunningSimCluster;
const tmp = tempDir("infra-apply");
const kubeconfig = join(tmp.dir, "kubeconfig");

/** The real kubectl against the simulator, never touching ~/.kube. */
const kubectl = (...args: string[]) => run("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(tmp.dir, "cache"), ...args]);

beforeAll(async () => {
  // A fixed clock: nothing moves unless the test says so.
  sim = await startSimCluster({ clock: () => Date.parse("2026-01-01T00:00:00Z") });
  await sim.writeKubeconfig(kubeconfig);
});

afterAll(async () => {
  await sim?.close();
  tmp.remove();
});

/** `<kind>/<name>` lines kubectl printed with `verb`. */
function lines(out: string, verb: string): string[] {
  return out
    .split("\n")
    .filter((l) => l.endsWith(` ${verb}`))
    .map((l) => l.slice(0, -verb.length - 1));
}

describe("kubectl apply -k infra/k8s on the cluster simulator", () => {
  let rendered: Obj[];

  it("creates every object of the base, validated client-side", async () => {
    rendered = await kustomize("infra/k8s");
    const r = await kubectl("apply", "-k", "infra/k8s");
    expect(r.code, r.stderr).toBe(0);
    // The simulator pre-registers the VMRollout CRD; applying ours updates it.
    expect(lines(r.stdout, "created").length + lines(r.stdout, "configured").length).toBe(rendered.length);
    expect(r.stdout).toContain("customresourcedefinition.apiextensions.k8s.io/vmrollouts.siskin.dev");
  });

  it("reads the workers back as they were rendered (client-node)", async () => {
    const kc = sim.kubeConfig();
    const apps = kc.makeApiClient(AppsV1Api);
    const deployments = await apps.listNamespacedDeployment({ namespace: "siskin" });
    expect(deployments.items.map((d) => d.metadata?.name).sort()).toEqual(workers.map((w) => `siskin-${w.name}`).sort());
    for (const want of ofKind(rendered, "Deployment")) {
      const got = deployments.items.find((d) => d.metadata?.name === want.metadata.name);
      expect(got?.spec?.template?.spec?.containers?.[0]?.args).toEqual(want.spec.template.spec.containers[0].args);
      expect(got?.spec?.template?.spec?.containers?.[0]?.env?.length).toBe(want.spec.template.spec.containers[0].env.length);
      expect(got?.spec?.template?.spec?.securityContext?.runAsNonRoot).toBe(true);
    }
    const sts = await apps.readNamespacedStatefulSet({ namespace: "siskin", name: "siskin-nats" });
    expect(sts.spec?.replicas).toBe(3);
    const core = kc.makeApiClient(CoreV1Api);
    const sas = await core.listNamespacedServiceAccount({ namespace: "siskin" });
    expect(sas.items.length).toBe(workers.length);
    const cms = await core.listNamespacedConfigMap({ namespace: "siskin" });
    expect(cms.items.some((c) => c.metadata?.name?.startsWith("siskin-nats-config-") && c.data?.["authorization.conf"]?.includes("traffic-router"))).toBe(true);
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const role = await rbac.readClusterRole({ name: "siskin-traffic-router" });
    expect(role.rules?.[0]).toMatchObject({ apiGroups: ["networking.istio.io"], verbs: ["get", "update", "patch"] });
    const binding = await rbac.readClusterRoleBinding({ name: "siskin-traffic-router" });
    expect(binding.subjects?.[0]).toMatchObject({ kind: "ServiceAccount", name: "siskin-traffic-router", namespace: "siskin" });
  });

  it("is idempotent: a second apply creates nothing", async () => {
    const r = await kubectl("apply", "-k", "infra/k8s");
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout, "created")).toEqual([]);
    expect(lines(r.stdout, "unchanged").length).toBeGreaterThan(rendered.length - 3);
  });

  it("adds the ScaledObjects with the keda overlay", async () => {
    const r = await kubectl("apply", "-k", "infra/k8s/overlays/keda");
    expect(r.code, r.stderr).toBe(0);
    // One per worker the KEDA component scales (infra/k8s/keda/scaledobjects.yaml), all created.
    const declared = (readFileSync(join(import.meta.dirname, "..", "..", "infra/k8s/keda/scaledobjects.yaml"), "utf8").match(/^kind: ScaledObject$/gm) ?? []).length;
    expect(declared).toBeGreaterThanOrEqual(9);
    expect(lines(r.stdout, "created").filter((l) => l.startsWith("scaledobject.keda.sh/")).length).toBe(declared);
    const co = sim.kubeConfig().makeApiClient(CustomObjectsApi);
    const so = (await co.getNamespacedCustomObject({ group: "keda.sh", version: "v1alpha1", namespace: "siskin", plural: "scaledobjects", name: "siskin-traffic-router" })) as Obj;
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.triggers[0]).toMatchObject({ type: "nats-jetstream", metadata: { stream: "COMMANDS", consumer: "trafficRouter" } });
  });

  it("adds the Prometheus Operator objects with the production overlay", async () => {
    const r = await kubectl("apply", "-k", "infra/k8s/overlays/production");
    expect(r.code, r.stderr).toBe(0);
    const got = await kubectl("get", "prometheusrules,podmonitors,alertmanagerconfigs", "-n", "siskin", "-o", "name");
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout.split("\n").filter(Boolean).sort()).toEqual([
      "alertmanagerconfig.monitoring.coreos.com/siskin",
      "podmonitor.monitoring.coreos.com/siskin-workers",
      "prometheusrule.monitoring.coreos.com/siskin",
    ]);
  });

  it("applies the BookInfo ratings sample, and kubectl shows the VMRollout with its printer columns", async () => {
    const r = await kubectl("apply", "-k", "infra/k8s/samples/bookinfo-ratings");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("vmrollout.siskin.dev/ratings created");
    // A server-side dry run of a change is accepted and stores nothing.
    const dry = await kubectl("patch", "vmro", "ratings", "-n", "bookinfo", "--type", "merge", "--dry-run=server", "-p", '{"spec":{"stableVersion":"v0"}}');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("vmrollout.siskin.dev/ratings patched");
    const table = await kubectl("get", "vmro", "-n", "bookinfo");
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split("\n")[0]?.split(/\s+/)).toEqual(["NAME", "PHASE", "STABLE", "CANARY", "WEIGHT", "AGE"]);
    const co = sim.kubeConfig().makeApiClient(CustomObjectsApi);
    const ro = (await co.getNamespacedCustomObject({ group: "siskin.dev", version: "v1alpha1", namespace: "bookinfo", plural: "vmrollouts", name: "ratings" })) as Obj;
    expect(ro.spec.stableVersion).toBe("v1");
    expect(ro.spec.steps.map((s: { weight: number }) => s.weight)).toEqual([10, 50, 100]);
    expect(ro.spec.vmTemplate.metadata.annotations["sidecar.istio.io/inject"]).toBe("true");
  });
});
