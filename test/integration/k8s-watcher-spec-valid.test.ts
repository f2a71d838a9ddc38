// The k8s-watcher (client-node against sim-cluster) checks every VMRollout spec change: a spec the CRD
// schema lets through but the watcher finds invalid shows InvalidSpec in `kubectl get vmro`, with
// each problem and its path in the SpecValid condition; fixed, it goes back.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { waitFor } from "../../sim/world/wait.js";
import { Event } from "../../schemas/subjects.js";
import { createFactLog, createMemoryCursors, createMemoryIndex, quietLog } from "../../services/k8s-watcher/fake-kube.test-util.js";
import { createKubeWatch, createRolloutStatuses } from "../../services/k8s-watcher/kube.js";
import { createService, type Watcher } from "../../services/k8s-watcher/service.js";
import { kubectlFor } from "../harness/kubectl.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
let sim: RunningSimCluster;
let dir: string;
let kubectl: ReturnType<typeof kubectlFor>;
let watcher: Watcher;
const facts = createFactLog();
let ratings: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "watcher-spec-valid-"));
  sim = await startSimCluster({ clock: () => T0 });
  await sim.writeKubeconfig(join(dir, "kubeconfig"));
  kubectl = kubectlFor(join(dir, "kubeconfig"), dir);
  sim.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "bookinfo" } });
  ratings = await readFile(join(import.meta.dirname, "..", "fixtures", "rollouts", "ratings.yaml"), "utf8");
  const kc = sim.kubeConfig();
  watcher = createService({
    kube: createKubeWatch(kc, { istioApiVersion: "v1" }),
    statuses: createRolloutStatuses(kc),
    facts,
    cursors: createMemoryCursors(),
    index: createMemoryIndex(),
    log: quietLog,
    now: () => T0,
    delay: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  await watcher.start();
});

afterAll(async () => {
  await watcher?.stop();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const typo = (yaml: string) => yaml.replace(/^  analysis:$/m, '  analysis:\n    metrics:\n      - name: errors\n        query: sum(rate(istio_requests_total{destination_workload_namespace="{{namspace}}"}[{{interval}}]))\n        max: 1');
const phase = () => (sim.store.get("vmro", "bookinfo", "ratings")?.status as { phase?: string } | undefined)?.phase;

describe("k8s-watcher: SpecValid and InvalidSpec through kubectl", () => {
  it("the CRD accepts a PromQL template with an unknown placeholder; the watcher marks it InvalidSpec", async () => {
    const applied = await kubectl.run(["apply", "-f", "-"], typo(ratings));
    expect(applied.stderr).toBe("");
    expect(applied.stdout.trim()).toBe("vmrollout.siskin.dev/ratings created");
    await waitFor(() => phase() === "InvalidSpec", { timeoutMs: 5000, what: "phase InvalidSpec" });
    expect(await kubectl.ok(["get", "vmro", "-n", "bookinfo"])).toBe(
      ["NAME      PHASE         STABLE   CANARY   WEIGHT   AGE", "ratings   InvalidSpec                              0s", ""].join("\n"),
    );
    const condition = await kubectl.ok(["get", "vmro", "ratings", "-n", "bookinfo", "-o", "jsonpath={.status.conditions[?(@.type=='SpecValid')]}"]);
    expect(JSON.parse(condition)).toEqual({
      type: "SpecValid",
      status: "False",
      reason: "InvalidSpec",
      message: "spec.analysis.metrics[0].query: unknown placeholder {{namspace}}: use {{namespace}}, {{service}}, {{interval}}",
      lastTransitionTime: "2026-03-01T12:00:00Z",
      observedGeneration: 1,
    });
    expect(facts.facts.filter((f) => f.subject === Event.rolloutSpecChanged)).toEqual([]);
  });

  it("fixed, the rollout goes back to Idle with SpecValid=True, and the spec change is published", async () => {
    const applied = await kubectl.run(["apply", "-f", "-"], ratings);
    expect(applied.stdout.trim()).toBe("vmrollout.siskin.dev/ratings configured");
    await waitFor(() => phase() === "Idle", { timeoutMs: 5000, what: "phase Idle" });
    expect(await kubectl.ok(["get", "vmro", "ratings", "-n", "bookinfo", "-o", "jsonpath={.status.conditions[?(@.type=='SpecValid')].status} {.status.message}"])).toBe("True ");
    await waitFor(() => facts.facts.some((f) => f.subject === Event.rolloutSpecChanged), { timeoutMs: 5000, what: "spec_changed" });
    expect(facts.facts.filter((f) => f.subject === Event.rolloutSpecChanged).map((f) => f.id)).toEqual([
      `rollout:${sim.store.get("vmro", "bookinfo", "ratings")?.metadata.uid ?? ""}:spec_changed:2`,
    ]);
  });
});
