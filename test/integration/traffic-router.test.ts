/**
 * traffic-router against the simulated cluster and a real nats-server: a weights command (through
 * JetStream, handled by `main()`) patches the VirtualService's weights, read back with client-node; a
 * concurrent edit of unrelated fields between our GET and PATCH is kept as is (fields and
 * managedFields), and one of the weights fails the patch's `test` guard and costs a retry.
 */
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageOf } from "../../schemas/codec.js";
import { Command, Event } from "../../schemas/subjects.js";
import type { SetWeights } from "../../schemas/traffic.js";
import { createPublisher, startConsumer, type Publisher, type RunningConsumer } from "../../services/runtime/index.js";
import { createKubeDestinationRules, createKubeVirtualServices } from "../../services/traffic-router/kube.js";
import { main } from "../../services/traffic-router/main.js";
import { createService } from "../../services/traffic-router/service.js";
import { loadDr, loadVs } from "../../services/traffic-router/upstream-fixtures.test-util.js";
import type { VirtualService } from "../../services/traffic-router/vs-types.js";
import { memoryLogger } from "./runtime.test-util.js";
import { startWorld, waitForEvent, type World } from "./cluster-workers.test-util.js";

let world: World;
let commands: Publisher;
let co: k8s.CustomObjectsApi;
const ref = { group: "networking.istio.io", version: "v1", namespace: "default", plural: "virtualservices" };

const readVs = async (name: string) => (await co.getNamespacedCustomObject({ ...ref, name })) as VirtualService;
const weights = (vs: VirtualService) => vs.spec.http?.[0]?.route?.map((r) => `${r.destination.subset}:${r.weight}`);

function setWeights(vs: string, canaryWeight: number): SetWeights {
  return {
    rollout: { namespace: "default", name: vs },
    virtualService: { name: vs },
    destinationRule: vs,
    versionLabel: "version",
    stableVersion: "v1",
    canaryVersion: "v2",
    stableSubset: "v1",
    canarySubset: "v2",
    canaryWeight,
  };
}

/** The upstream bookinfo reviews VS (80/20) and DR (v1..v3) under another name. */
function seed(name: string, annotations?: Record<string, string>): void {
  const vs = loadVs("istio/bookinfo-vs-reviews-80-20.yaml");
  const dr = loadDr("istio/bookinfo-dr-all.yaml", "reviews");
  world.sim.store.create({ ...vs, apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name, namespace: "default", ...(annotations === undefined ? {} : { annotations }) } });
  world.sim.store.create({ ...dr, apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name, namespace: "default" }, spec: { ...dr.spec, subsets: dr.spec.subsets?.filter((s) => s.name === "v1") } });
}

beforeAll(async () => {
  world = await startWorld();
  commands = createPublisher(world.nc, { source: "test-orchestrator" });
  co = world.sim.kubeConfig().makeApiClient(k8s.CustomObjectsApi);
});
afterAll(async () => {
  await world?.stop();
});

describe("traffic-router against sim-cluster and nats-server", () => {
  it("main(): a weights command adds the canary subset, rewrites the VirtualService and reports what it read back", async () => {
    seed("reviews");
    const running = await main(world.env);
    try {
      await commands.publish(Command.trafficSetWeights, { id: "w-1", releaseId: "default/reviews/v2", data: setWeights("reviews", 50) });
      const set = await waitForEvent(world.jsm, "evt.traffic.", (all) => all.find((s) => s.msg.causationId === "w-1"), "weights_set for w-1");
      const vs = await readVs("reviews");
      expect(weights(vs)).toEqual(["v1:50", "v2:50"]);
      expect(set.msg).toMatchObject({ type: Event.trafficWeightsSet, releaseId: "default/reviews/v2", data: { canaryWeight: 50, attempts: 1, resourceVersion: vs.metadata?.resourceVersion, routes: [{ kind: "http", index: 0, stableWeight: 50, canaryWeight: 50 }] } });
      expect(vs.metadata?.annotations).toMatchObject({ "siskin.dev/canary-weight": "50", "siskin.dev/weights-release": "default/reviews/v2" });
      const dr = (await co.getNamespacedCustomObject({ ...ref, plural: "destinationrules", name: "reviews" })) as { spec: { subsets: unknown[] } };
      expect(dr.spec.subsets).toEqual([
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
      ]);

      // The same weights again: nothing written.
      await commands.publish(Command.trafficSetWeights, { id: "w-2", releaseId: "default/reviews/v2", data: setWeights("reviews", 50) });
      const again = await waitForEvent(world.jsm, "evt.traffic.", (all) => all.find((s) => s.msg.causationId === "w-2"), "weights_set for w-2");
      expect(again.msg.data).toMatchObject({ attempts: 0, resourceVersion: vs.metadata?.resourceVersion });

      // A route name the VirtualService lacks: permanent, reported, nothing written.
      await commands.publish(Command.trafficSetWeights, { id: "w-3", data: { ...setWeights("reviews", 100), virtualService: { name: "reviews", routes: ["primary"] } } });
      const failed = await waitForEvent(world.jsm, "evt.traffic.", (all) => all.find((s) => s.msg.causationId === "w-3"), "weights_failed for w-3");
      expect(failed.msg).toMatchObject({ type: Event.trafficWeightsFailed, data: { code: "SISKIN_ERR_ROUTE_NOT_FOUND", retryable: false, canaryWeight: 100 } });
      expect((await readVs("reviews")).metadata?.resourceVersion).toBe(vs.metadata?.resourceVersion);
    } finally {
      await running.stop();
    }
  });

  /** A router whose patch first lets `editor` change the VirtualService (after our GET, before our PATCH). */
  async function racedRouter(name: string, editor: (vs: VirtualService) => void) {
    const kc = world.sim.kubeConfig();
    const real = createKubeVirtualServices(kc, { istioApiVersion: "v1" });
    const other = kc.makeApiClient(k8s.CustomObjectsApi);
    const patches: number[] = [];
    const service = createService({
      virtualServices: {
        get: (r) => real.get(r),
        async patch(r, ops) {
          if (patches.length === 0) {
            // Another client (a person with kubectl) edits the object after our GET.
            const theirs = (await other.getNamespacedCustomObject({ ...ref, name })) as VirtualService;
            editor(theirs);
            await other.replaceNamespacedCustomObject({ ...ref, name, body: theirs, fieldManager: "kubectl-edit" });
          }
          patches.push(ops.length);
          return real.patch(r, ops);
        },
      },
      destinationRules: createKubeDestinationRules(kc, { istioApiVersion: "v1" }),
      events: createPublisher(world.nc, { source: "traffic-router" }),
    });
    const { logger } = memoryLogger();
    const consumer: RunningConsumer = await startConsumer(world.nc, "trafficRouter", (msg) => service.handle(msg as MessageOf<typeof Command.trafficSetWeights>), { logger });
    return { consumer, patches };
  }

  it("a concurrent edit of unrelated fields between our GET and PATCH: one guarded patch, nothing clobbered, the editor's managedFields kept", async () => {
    // As `kubectl apply` leaves it (an annotations map exists, so the router adds its keys into it).
    seed("ratings", { "kubectl.kubernetes.io/last-applied-configuration": "{}" });
    const { consumer, patches } = await racedRouter("ratings", (vs) => {
      vs.spec.http![0]!.timeout = "5s";
      vs.metadata = { ...vs.metadata, labels: { ...(vs.metadata?.labels as Record<string, string> | undefined), team: "ratings" } };
      (vs.spec as Record<string, unknown>).exportTo = ["."];
    });
    try {
      await commands.publish(Command.trafficSetWeights, { id: "w-race", data: setWeights("ratings", 10) });
      const set = await waitForEvent(world.jsm, "evt.traffic.", (all) => all.find((s) => s.msg.causationId === "w-race"), "weights_set after the race");
      expect(set.msg).toMatchObject({ type: Event.trafficWeightsSet, data: { attempts: 1, canaryWeight: 10 } });
      expect(patches).toHaveLength(1);
      const vs = await readVs("ratings");
      expect(weights(vs)).toEqual(["v1:90", "v2:10"]);
      expect(vs.spec.http?.[0]?.timeout).toBe("5s");
      expect((vs.spec as Record<string, unknown>).exportTo).toEqual(["."]);
      expect(vs.metadata?.labels).toMatchObject({ team: "ratings" });
      const managed = (vs.metadata?.managedFields ?? []) as Array<{ manager: string; fieldsV1: Record<string, Record<string, unknown>> }>;
      const editor = managed.find((m) => m.manager === "kubectl-edit");
      const router = managed.find((m) => m.manager === "siskin-traffic-router");
      // The editor keeps what only it changed; the router owns the routes it wrote (an atomic list) and its annotations.
      expect(editor?.fieldsV1).toMatchObject({ "f:metadata": { "f:labels": { "f:team": {} } }, "f:spec": { "f:exportTo": {} } });
      expect(router?.fieldsV1).toMatchObject({ "f:metadata": { "f:annotations": { "f:siskin.dev/canary-weight": {} } }, "f:spec": { "f:http": {} } });
      expect(router?.fieldsV1["f:spec"]).not.toHaveProperty("f:exportTo");
    } finally {
      await consumer.stop();
    }
  });

  it("a concurrent edit of the weights fails the patch's test guard: re-read, re-planned, written once more", async () => {
    seed("details");
    const { consumer, patches } = await racedRouter("details", (vs) => {
      vs.spec.http![0]!.route![0]!.weight = 70;
      vs.spec.http![0]!.route![1]!.weight = 30;
    });
    try {
      await commands.publish(Command.trafficSetWeights, { id: "w-race-2", data: setWeights("details", 10) });
      const set = await waitForEvent(world.jsm, "evt.traffic.", (all) => all.find((s) => s.msg.causationId === "w-race-2"), "weights_set after the guarded race");
      expect(set.msg).toMatchObject({ type: Event.trafficWeightsSet, data: { attempts: 2, canaryWeight: 10 } });
      expect(patches).toHaveLength(2);
      expect(weights(await readVs("details"))).toEqual(["v1:90", "v2:10"]);
    } finally {
      await consumer.stop();
    }
  });
});
