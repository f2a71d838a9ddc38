// BookInfo's manifests (infra/sim/bookinfo) say what the issue asks for, and the VMRollout is a valid
// VMRolloutSpec; the load-client and worker-env tables are pure and checked here too.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Compile } from "typebox/compile";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { resolveRollout, vmNameFor } from "../../schemas/rollout-defaults.js";
import { VMRolloutSpec } from "../../schemas/rollout.js";
import { bookinfoDir, defaultSecrets, LoadAnnotation, loadClientsOf, onCallUser, WorkerNames, workerEnv, type WorkerEnvInput } from "./index.js";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any };
const objects: Obj[] = readdirSync(bookinfoDir)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => YAML.parseAllDocuments(readFileSync(join(bookinfoDir, f), "utf8")).map((d) => d.toJS() as Obj));
const one = (kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as Obj;
};

describe("infra/sim/bookinfo", () => {
  it("the namespace has Istio injection on", () => {
    expect(one("Namespace").metadata).toMatchObject({ name: "bookinfo", labels: { "istio-injection": "enabled" } });
  });

  it("ratings: Service by app, DestinationRule subset v1, VirtualService with one http route to v1 at 100", () => {
    expect(one("Service").spec.selector).toEqual({ app: "ratings" });
    expect(one("DestinationRule").spec).toEqual({ host: "ratings", subsets: [{ name: "v1", labels: { version: "v1" } }] });
    const vs = one("VirtualService").spec;
    expect(vs.http).toEqual([{ route: [{ destination: { host: "ratings", subset: "v1" }, weight: 100 }] }]);
  });

  it("the stable VM ratings-v1 is named as Siskin names versions, with masquerade and the Istio annotation", () => {
    const vm = one("VirtualMachine");
    expect(vm.metadata.name).toBe(vmNameFor("ratings", "v1"));
    expect(vm.spec.template.metadata.labels).toMatchObject({ app: "ratings", version: "v1" });
    expect(vm.spec.template.metadata.annotations["sidecar.istio.io/inject"]).toBe("true");
    expect(vm.spec.template.spec.domain.devices.interfaces).toEqual([{ name: "default", masquerade: {} }]);
  });

  it("the VMRollout is a valid spec: 10 → 50 → (approval) 100, alert matcher, the on-call approver, bookinfo/ratings", () => {
    const ro = one("VMRollout");
    const check = Compile(VMRolloutSpec);
    expect([...check.Errors(ro.spec)]).toEqual([]);
    const r = resolveRollout(ro.spec);
    expect(r.steps.map((s) => [s.weight, s.approval !== undefined])).toEqual([[10, false], [50, false], [100, true]]);
    expect(r.alertMatchers).toEqual([{ alertname: "SiskinCanaryHighErrorRate", namespace: "bookinfo", service: "ratings", version: "{{version}}" }]);
    expect(r.approvers.users).toEqual([onCallUser.id]);
    expect(ro.spec.source.repository).toBe("bookinfo/ratings");
    expect(r.intervalMs).toBe(5000);
    expect(r.rollbackWindowMs).toBe(10_000);
  });

  it("the productpage-like load client targets ratings", () => {
    const clients = loadClientsOf(objects.filter((o) => o.kind === "Pod"));
    expect(clients).toEqual([
      {
        namespace: "bookinfo",
        service: "ratings",
        rps: 100,
        identity: {
          workload: "productpage-v1",
          namespace: "bookinfo",
          app: "productpage",
          version: "v1",
          canonicalService: "productpage",
          canonicalRevision: "v1",
          principal: "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage",
        },
      },
    ]);
  });
});

describe("loadClientsOf", () => {
  it("skips Pods without a target, defaults rps and identity, refuses a bad rps naming the Pod", () => {
    const pod = (annotations: Record<string, string>, extra: object = {}) => ({ metadata: { name: "c", namespace: "ns", annotations }, ...extra });
    expect(loadClientsOf([pod({}), { metadata: {} }])).toEqual([]);
    expect(loadClientsOf([pod({ [LoadAnnotation.target]: "web" })])[0]).toMatchObject({ rps: 50, identity: { workload: "c", app: "c", version: "unknown", canonicalRevision: "latest", principal: "spiffe://cluster.local/ns/ns/sa/default" } });
    expect(() => loadClientsOf([pod({ [LoadAnnotation.target]: "web", [LoadAnnotation.rps]: "fast" })])).toThrow(/Pod ns\/c has sim.siskin.dev\/load-rps="fast"/);
  });
});

describe("workerEnv", () => {
  const input: WorkerEnvInput = {
    natsUrl: "nats://127.0.0.1:1",
    kubeconfigPath: "/k",
    prometheusUrl: "http://p",
    slackApiUrl: "http://s/api/",
    slackChannel: "C1",
    secrets: defaultSecrets,
    ports: { releaseTrigger: 11, alertIngest: 12, approvalGateway: 13, dashboard: 14 },
    logLevel: "warn",
    orchestratorTickMs: 250,
    analyzerTickMs: 300,
    approvalTickSeconds: 1,
  };

  it.each(WorkerNames.map((n) => [n]))("%s gets NATS, a free health port and the log level", (name) => {
    expect(workerEnv(name, input)).toMatchObject({ SISKIN_NATS_SERVERS: "nats://127.0.0.1:1", SISKIN_HTTP_PORT: "0", SISKIN_LOG_LEVEL: "warn" });
  });

  it("gives each worker what its config reads", () => {
    expect(workerEnv("metrics-analyzer", input)).toMatchObject({ SISKIN_PROMETHEUS_URL: "http://p", SISKIN_TICK_MS: "300" });
    expect(workerEnv("orchestrator", input)).toMatchObject({ SISKIN_TICK_MS: "250" });
    expect(workerEnv("alert-ingest", input)).toMatchObject({ SISKIN_WEBHOOK_PORT: "12" });
    expect(workerEnv("approval-gateway", input)).toMatchObject({ SISKIN_INTERACTIVITY_PORT: "13", SISKIN_SLACK_SIGNING_SECRET: defaultSecrets.slackSigning, SISKIN_SLACK_DEFAULT_CHANNEL: "C1" });
    expect(workerEnv("release-trigger", input)).toMatchObject({ SISKIN_LISTEN_PORT: "11", SISKIN_KUBECONFIG: "/k", SISKIN_GITHUB_WEBHOOK_SECRET: defaultSecrets.githubWebhook });
    for (const n of ["status-writer", "k8s-watcher", "vm-provisioner", "traffic-router"] as const) expect(workerEnv(n, input)["SISKIN_KUBECONFIG"]).toBe("/k");
  });
});
