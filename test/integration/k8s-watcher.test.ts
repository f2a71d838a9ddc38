/**
 * k8s-watcher against the simulated cluster (client-node list/watch over HTTP) and a real
 * nats-server: facts land in the EVENTS stream with deterministic ids; a forced 410 Gone (and a
 * restart across an expired history) repeats no fact and loses no transition.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../sim/cluster/index.js";
import { Bucket, Event, rolloutKey } from "../../schemas/subjects.js";
import { createKubeWatch } from "../../services/k8s-watcher/kube.js";
import { createFactSink, createKvCursors, createKvReleaseIndex } from "../../services/k8s-watcher/kv-stores.js";
import { main } from "../../services/k8s-watcher/main.js";
import { createService, type Watcher } from "../../services/k8s-watcher/service.js";
import { createPublisher, openKv } from "../../services/runtime/index.js";
import { readStream, startWorld, waitForEvent, type Stored, type World } from "./cluster-workers.test-util.js";

const logged: string[] = [];
const quiet = { debug: (_o: object, m: string) => void logged.push(m), info: (_o: object, m: string) => void logged.push(m), warn: (_o: object, m: string) => void logged.push(m), error: (_o: object, m: string) => void logged.push(m) };
const relists = () => logged.filter((m) => m.includes("vmis") && m.includes("410 Gone")).length;
let world: World;
let watcher: Watcher | undefined;

async function startWatcher(): Promise<Watcher> {
  const w = createService({
    kube: createKubeWatch(world.sim.kubeConfig(), { istioApiVersion: "v1" }),
    facts: createFactSink(createPublisher(world.nc, { source: "k8s-watcher" })),
    cursors: createKvCursors(await openKv(world.nc, Bucket.watchCursors), quiet),
    index: createKvReleaseIndex(await openKv(world.nc, Bucket.rollouts), quiet),
    log: quiet,
    delay: (ms) => new Promise((r) => setTimeout(r, ms)),
    backoffMs: [20, 50, 100],
  });
  await w.start();
  return w;
}

const rolloutSpec = {
  service: "ratings",
  virtualService: { name: "ratings" },
  destinationRule: { name: "ratings" },
  stableVersion: "v1",
  vmTemplate: { spec: { domain: { devices: {} } } },
};

function vm(name: string, version: string): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace: "default" },
    spec: {
      runStrategy: "Always",
      template: {
        metadata: { labels: { app: "ratings", version, "siskin.dev/rollout": "ratings" }, annotations: { "sim.siskin.dev/boot-seconds": "2", "sim.siskin.dev/restart-delay-seconds": "1" } },
        spec: { domain: { devices: { interfaces: [{ name: "default", masquerade: {} }] } }, networks: [{ name: "default", pod: {} }] },
      },
    },
  };
}

const vmiUid = (name: string) => world.sim.store.get("virtualmachineinstances", "default", name)?.metadata.uid ?? "";
const about = (name: string) => (s: Stored) => (s.msg.data as { vmi?: { name: string } }).vmi?.name === name;
const factKey = (s: Stored) => s.msgId ?? "";

beforeAll(async () => {
  world = await startWorld();
  world.sim.store.create({ apiVersion: "siskin.dev/v1alpha1", kind: "VMRollout", metadata: { name: "ratings", namespace: "default" }, spec: rolloutSpec });
  watcher = await startWatcher();
});
afterAll(async () => {
  await watcher?.stop();
  await world?.stop();
});

describe("k8s-watcher against sim-cluster and nats-server", () => {
  it("reports a VM's life: phases, Ready, a live migration and a crash (once, from two sources)", async () => {
    world.sim.store.create(vm("ratings-v2", "v2"));
    world.sim.advance(3000);
    const uid = vmiUid("ratings-v2");
    await waitForEvent(world.jsm, "evt.vm.", (all) => all.some((s) => s.msgId?.startsWith(`vm:${uid}:ready_changed`)), "ratings-v2 Ready");
    const first = (await readStream(world.jsm, "evt.vm.")).filter(about("ratings-v2"));
    const phases = first.filter((s) => s.subject === Event.vmPhaseChanged).map((s) => (s.msg.data as { phase: string }).phase);
    expect(phases[phases.length - 1]).toBe("Running");
    expect(first.find((s) => s.subject === Event.vmReadyChanged)?.msg.data).toMatchObject({ ready: true, version: "v2", app: "ratings", rollout: { namespace: "default", name: "ratings" } });

    world.sim.store.create({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "mig-1", namespace: "default" }, spec: { vmiName: "ratings-v2" } });
    world.sim.advance(4000);
    const migrated = await waitForEvent(world.jsm, "evt.vm.migration_", (all) => (all.some((s) => s.subject === Event.vmMigrationCompleted) ? all : undefined), "migration completed");
    expect(migrated.map((s) => s.subject)).toEqual([Event.vmMigrationStarted, Event.vmMigrationCompleted]);

    world.sim.store.patch("virtualmachineinstances", "default", "ratings-v2", { metadata: { annotations: { "sim.siskin.dev/crash-now": "true" } } });
    world.sim.tick();
    await waitForEvent(world.jsm, "evt.vm.crashed", (all) => all.length === 1, "crash");
    // The Failed phase and the Warning `Stopped` event both say so; the stream holds one fact.
    await waitForEvent(world.jsm, "evt.vm.", (all) => all.some((s) => s.subject === Event.vmPhaseChanged && (s.msg.data as { phase: string }).phase === "Failed"), "phase Failed");
    expect((await readStream(world.jsm, "evt.vm.crashed")).map((s) => s.msgId)).toEqual([`vm:${uid}:crashed:once`]);
  });

  it("survives a forced 410 Gone: relists, repeats no fact, loses no transition", async () => {
    world.sim.store.create(vm("reviews-v2", "v2"));
    world.sim.advance(3000);
    const uid = vmiUid("reviews-v2");
    await waitForEvent(world.jsm, "evt.vm.", (all) => all.some((s) => s.msgId?.startsWith(`vm:${uid}:ready_changed`)), "reviews-v2 Ready");
    const before = new Set((await readStream(world.jsm, "evt.vm.")).map(factKey));

    // While running: the history is compacted and every watch ends; resuming gets 410 and relists.
    const relistsBefore = relists();
    world.sim.expireHistory();
    world.sim.store.patch("virtualmachineinstances", "default", "reviews-v2", { metadata: { annotations: { "sim.siskin.dev/crash-now": "true" } } });
    world.sim.tick();
    await waitForEvent(world.jsm, "evt.vm.crashed", (all) => all.some((s) => s.msgId === `vm:${uid}:crashed:once`), "reviews-v2 crash after the relist");

    expect(relists()).toBeGreaterThan(relistsBefore);

    // Down: the restarted VMI boots while nobody watches, and the history expires again.
    await watcher?.stop();
    world.sim.advance(2000);
    world.sim.advance(3000);
    const reborn = vmiUid("reviews-v2");
    expect(reborn).not.toBe(uid);
    world.sim.expireHistory();
    watcher = await startWatcher();
    await waitForEvent(world.jsm, "evt.vm.", (all) => all.some((s) => s.msgId?.startsWith(`vm:${reborn}:ready_changed`)), "the restarted VMI's readiness, found by the relist");
    await waitForEvent(world.jsm, "evt.vm.deleted", (all) => all.some((s) => s.msgId === `vm:${uid}:deleted:final`), "the crashed VMI's deletion");
    expect(relists()).toBeGreaterThan(relistsBefore + 1);

    const all = await readStream(world.jsm, "evt.vm.");
    // Each fact once: no id twice, and no VMI reported twice in the same phase.
    expect(new Set(all.map(factKey)).size).toBe(all.length);
    const phaseKeys = all.filter((s) => s.subject === Event.vmPhaseChanged).map((s) => `${s.msgId?.split(":")[1]}:${(s.msg.data as { phase: string }).phase}`);
    expect(new Set(phaseKeys).size).toBe(phaseKeys.length);
    // Nothing published before the 410 was published again.
    const again = all.filter((s) => before.has(factKey(s)));
    expect(again.length).toBe(before.size);
  });

  it("reports a VMRollout spec change and drift on the managed VirtualService", async () => {
    const kv = await openKv(world.nc, Bucket.rollouts);
    await kv.put(rolloutKey("default", "ratings"), { releaseId: "default/ratings/v2", version: "v2", lastSetWeight: 10 });
    world.sim.store.create({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "ratings", namespace: "default", annotations: { "siskin.dev/canary-weight": "10", "siskin.dev/weights-release": "default/ratings/v2" } },
      spec: { hosts: ["ratings"], http: [{ route: [{ destination: { host: "ratings", subset: "v1" }, weight: 90 }, { destination: { host: "ratings", subset: "v2" }, weight: 10 }] }] },
    });
    const current = world.sim.store.get("virtualservices", "default", "ratings")!;
    world.sim.store.update({ ...current, spec: { hosts: ["ratings"], http: [{ route: [{ destination: { host: "ratings", subset: "v1" }, weight: 40 }, { destination: { host: "ratings", subset: "v2" }, weight: 60 }] }] } });
    const drift = await waitForEvent(world.jsm, "evt.rollout.drift_detected", (all) => all[0], "drift");
    expect(drift.msg).toMatchObject({ releaseId: "default/ratings/v2", data: { rollout: { namespace: "default", name: "ratings" }, virtualService: "ratings", expectedCanaryWeight: 10, observedCanaryWeight: 60 } });

    world.sim.store.patch("vmrollouts", "default", "ratings", { spec: { stableVersion: "v2" } });
    const changed = await waitForEvent(world.jsm, "evt.rollout.spec_changed", (all) => all[0], "spec change");
    expect(changed.msg.data).toMatchObject({ rollout: { name: "ratings" }, generation: 2, spec: { stableVersion: "v2" } });
  });

  it("main(): resumes from the cursors the test's watcher left and reports new VMs", async () => {
    await watcher?.stop();
    watcher = undefined;
    const running = await main(world.env);
    try {
      await running.started;
      world.sim.store.create(vm("details-v2", "v2"));
      world.sim.advance(3000);
      const uid = vmiUid("details-v2");
      await waitForEvent(world.jsm, "evt.vm.", (all) => all.some((s) => s.msgId?.startsWith(`vm:${uid}:ready_changed`)), "details-v2 Ready via main()");
      const ready = await fetch(`${running.healthUrl}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await running.stop();
    }
  });
});
