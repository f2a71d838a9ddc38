import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../sim/world/wait.js";
import { Event } from "../../schemas/subjects.js";
import { createFactLog, createFakeKube, createMemoryCursors, createMemoryIndex, quietLog } from "./fake-kube.test-util.js";
import type { Vmi } from "./kube-types.js";
import { WatchedKind } from "./ports.js";
import { createService, type Watcher } from "./service.js";

function vmi(uid: string, phase: string, ready: boolean, extra: Partial<NonNullable<Vmi["status"]>> = {}): Vmi {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name: `ratings-${uid}`, namespace: "shop", uid, labels: { app: "ratings", version: "v2", "siskin.dev/rollout": "ratings" } },
    status: { phase, conditions: [{ type: "Ready", status: ready ? "True" : "False" }], ...extra },
  };
}

const rollout = {
  apiVersion: "siskin.dev/v1alpha1",
  kind: "VMRollout",
  metadata: { name: "ratings", namespace: "shop", uid: "ro-1", generation: 1 },
  spec: { service: "ratings", virtualService: { name: "ratings" }, destinationRule: { name: "ratings" }, stableVersion: "v1", vmTemplate: { spec: { domain: { devices: {} } } } },
};

const running: Watcher[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});

function setup(world = createFakeKube(), cursors = createMemoryCursors(), facts = createFactLog(), index = createMemoryIndex()) {
  const watcher = createService({ kube: world.kube, facts, cursors, index, log: quietLog, delay: () => new Promise((r) => setImmediate(r)), backoffMs: [0] });
  running.push(watcher);
  return { world, cursors, facts, index, watcher };
}

const idsOf = (facts: { id: string }[]) => facts.map((f) => f.id);
const count = (facts: { subject: string }[], subject: string) => facts.filter((f) => f.subject === subject).length;

describe("k8s-watcher service (fake API server)", () => {
  it("publishes the facts of watched changes, once each", async () => {
    const { world, facts, watcher } = setup();
    world.put(WatchedKind.rollouts, rollout);
    world.put(WatchedKind.vmis, vmi("u1", "Scheduling", false));
    await watcher.start();
    await waitFor(() => facts.facts.length === 1, { timeoutMs: 2000, what: "the first sight of u1" });
    world.put(WatchedKind.vmis, vmi("u1", "Running", true));
    await waitFor(() => count(facts.facts, Event.vmReadyChanged) === 1, { timeoutMs: 2000, what: "u1 ready" });
    world.remove(WatchedKind.vmis, "u1");
    await waitFor(() => count(facts.facts, Event.vmDeleted) === 1, { timeoutMs: 2000, what: "u1 deleted" });
    expect(facts.facts.map((f) => f.subject)).toEqual([Event.vmPhaseChanged, Event.vmPhaseChanged, Event.vmReadyChanged, Event.vmDeleted]);
    expect(facts.facts[2]?.data).toMatchObject({ rollout: { namespace: "shop", name: "ratings" }, version: "v2", app: "ratings" });
  });

  it("survives 410 Gone: relists, reports what changed meanwhile, repeats nothing", async () => {
    const { world, facts, watcher } = setup();
    world.put(WatchedKind.rollouts, rollout);
    world.put(WatchedKind.vmis, vmi("u1", "Running", false));
    world.put(WatchedKind.vmis, vmi("u2", "Running", true));
    await watcher.start();
    await waitFor(() => facts.facts.length === 3, { timeoutMs: 2000, what: "initial facts" });
    const before = idsOf(facts.facts);
    // Changes while the watch is cut, then the history is compacted away.
    world.silently(() => {
      world.put(WatchedKind.vmis, vmi("u1", "Running", true));
      world.remove(WatchedKind.vmis, "u2");
      world.put(WatchedKind.vmis, vmi("u3", "Scheduling", false));
    });
    world.expireHistory();
    await waitFor(() => facts.facts.length === 6, { timeoutMs: 2000, what: "facts found by the relist" });
    expect(idsOf(facts.facts).slice(0, 3)).toEqual(before);
    expect(facts.facts.slice(3).map((f) => `${f.subject}:${(f.data as { vmi: { name: string } }).vmi.name}`).sort()).toEqual(
      [`${Event.vmReadyChanged}:ratings-u1`, `${Event.vmDeleted}:ratings-u2`, `${Event.vmPhaseChanged}:ratings-u3`].sort(),
    );
    // The watch goes on after the relist.
    world.put(WatchedKind.vmis, vmi("u3", "Running", true));
    await waitFor(() => facts.facts.length === 8, { timeoutMs: 2000, what: "u3 running after the relist" });
    expect(new Set(idsOf(facts.facts)).size).toBe(facts.facts.length);
  });

  it("resumes from the stored cursor after a restart, and after 410 diffs against the stored state", async () => {
    const world = createFakeKube();
    const cursors = createMemoryCursors();
    const facts = createFactLog();
    world.put(WatchedKind.rollouts, rollout);
    world.put(WatchedKind.vmis, vmi("u1", "Running", false));
    const first = setup(world, cursors, facts);
    await first.watcher.start();
    await waitFor(() => facts.facts.length === 1, { timeoutMs: 2000, what: "u1 seen" });
    await first.watcher.stop();
    const storedRv = cursors.data.get(`${WatchedKind.vmis}.`)?.resourceVersion;
    expect(storedRv).toBeTruthy();

    // Down: u1 becomes Ready (kept in history): a restart resumes the watch from the cursor, no list.
    world.put(WatchedKind.vmis, vmi("u1", "Running", true));
    world.calls.length = 0;
    const second = setup(world, cursors, facts);
    await second.watcher.start();
    await waitFor(() => count(facts.facts, Event.vmReadyChanged) === 1, { timeoutMs: 2000, what: "ready after restart" });
    expect(world.calls.filter((c) => c.kind === WatchedKind.vmis)).toEqual([{ op: "watch", kind: WatchedKind.vmis, resourceVersion: storedRv }]);
    await second.watcher.stop();

    // Down again, and the history expires: the relist compares with the state stored in the cursor.
    world.silently(() => world.put(WatchedKind.vmis, vmi("u1", "Failed", false, { phaseTransitionTimestamps: [{ phase: "Running" }, { phase: "Failed" }] })));
    world.expireHistory();
    const third = setup(world, cursors, facts);
    await third.watcher.start();
    await waitFor(() => count(facts.facts, Event.vmCrashed) === 1, { timeoutMs: 2000, what: "crash found after restart + 410" });
    expect(facts.facts.map((f) => f.subject)).toEqual([Event.vmPhaseChanged, Event.vmReadyChanged, Event.vmPhaseChanged, Event.vmReadyChanged, Event.vmCrashed]);
  });

  it("does not lose a fact when publishing fails: resumes from the last handled resourceVersion", async () => {
    const { world, facts, watcher } = setup();
    world.put(WatchedKind.rollouts, rollout);
    await watcher.start();
    facts.failNext = 2;
    world.put(WatchedKind.vmis, vmi("u1", "Running", true));
    await waitFor(() => facts.facts.length === 2, { timeoutMs: 2000, what: "facts after the outage" });
    expect(facts.attempts).toBeGreaterThanOrEqual(4);
    expect(facts.facts.map((f) => f.subject)).toEqual([Event.vmPhaseChanged, Event.vmReadyChanged]);
  });

  it("re-watches after a dropped connection without repeating facts", async () => {
    const { world, facts, watcher } = setup();
    world.put(WatchedKind.rollouts, rollout);
    world.put(WatchedKind.vmis, vmi("u1", "Running", true));
    await watcher.start();
    await waitFor(() => facts.facts.length === 2, { timeoutMs: 2000, what: "initial" });
    world.dropConnections();
    await waitFor(() => world.openWatches() === 5, { timeoutMs: 2000, what: "every kind watching again" });
    world.put(WatchedKind.vmis, vmi("u1", "Running", false));
    await waitFor(() => facts.facts.length === 3, { timeoutMs: 2000, what: "not ready" });
    expect(facts.attempts).toBe(3);
  });

  it("reports migrations from VMIMs and crashes from Events with the VMI's ids", async () => {
    const { world, facts, watcher } = setup();
    world.put(WatchedKind.rollouts, rollout);
    world.put(WatchedKind.vmis, vmi("u1", "Running", true));
    await watcher.start();
    await waitFor(() => facts.facts.length === 2, { timeoutMs: 2000, what: "initial" });
    const vmim = { metadata: { name: "m1", namespace: "shop", uid: "mig-1" }, spec: { vmiName: "ratings-u1" }, status: { phase: "Running" } };
    world.put(WatchedKind.vmims, vmim);
    world.put(WatchedKind.vmis, vmi("u1", "Running", true, { migrationState: { migrationUid: "mig-1", sourceNode: "a", targetNode: "b" } }));
    world.put(WatchedKind.vmims, { ...vmim, status: { phase: "Succeeded" } });
    world.put(WatchedKind.events, { metadata: { name: "e1", namespace: "shop", uid: "ev-1" }, type: "Warning", reason: "Stopped", message: "The VirtualMachineInstance crashed.", involvedObject: { kind: "VirtualMachineInstance", name: "ratings-u1", namespace: "shop", uid: "u1" } });
    await waitFor(() => count(facts.facts, Event.vmCrashed) === 1 && count(facts.facts, Event.vmMigrationCompleted) === 1, { timeoutMs: 2000, what: "migration and crash" });
    expect(count(facts.facts, Event.vmMigrationStarted)).toBe(1);
    expect(idsOf(facts.facts)).toContain("vm:u1:migration_started:mig-1");
  });

  it("reports a VMRollout spec change and drift on a managed VirtualService", async () => {
    const index = createMemoryIndex({ "shop/ratings": { releaseId: "shop/ratings/v2", version: "v2", lastSetWeight: 10 } });
    const { world, facts, watcher } = setup(undefined, undefined, undefined, index);
    world.put(WatchedKind.rollouts, rollout);
    const vs = { metadata: { name: "ratings", namespace: "shop", uid: "vs-1" }, spec: { http: [{ route: [{ destination: { host: "ratings", subset: "v1" }, weight: 90 }, { destination: { host: "ratings", subset: "v2" }, weight: 10 }] }] } };
    world.put(WatchedKind.virtualServices, vs);
    await watcher.start();
    world.put(WatchedKind.rollouts, { ...rollout, metadata: { ...rollout.metadata, generation: 2 } });
    world.put(WatchedKind.virtualServices, { ...vs, spec: { http: [{ route: [{ destination: { host: "ratings", subset: "v1" }, weight: 50 }, { destination: { host: "ratings", subset: "v2" }, weight: 50 }] }] } });
    await waitFor(() => count(facts.facts, Event.rolloutDriftDetected) === 1 && count(facts.facts, Event.rolloutSpecChanged) === 1, { timeoutMs: 2000, what: "drift and spec change" });
    expect(facts.facts.find((f) => f.subject === Event.rolloutDriftDetected)?.data).toMatchObject({ expectedCanaryWeight: 10, observedCanaryWeight: 50 });
  });
});

describe("k8s-watcher: spec validity", () => {
  const invalidSpec = { ...rollout.spec, vmTemplate: { spec: { domain: {} } }, analysis: { metrics: [{ name: "errors", query: 'sum(rate(x{ns="{{namspace}}"}[1m]))', max: 1 }] } };

  it("writes SpecValid=False and phase InvalidSpec for a spec the schema lets through, and publishes no spec change", async () => {
    const world = createFakeKube();
    const facts = createFactLog();
    const watcher = createService({ kube: world.kube, statuses: world.statuses, facts, cursors: createMemoryCursors(), index: createMemoryIndex(), log: quietLog, delay: () => new Promise((r) => setImmediate(r)), backoffMs: [0], now: () => Date.parse("2026-03-01T12:00:00Z") });
    running.push(watcher);
    world.put(WatchedKind.rollouts, { ...rollout, spec: invalidSpec });
    await watcher.start();
    const stored = () => world.statuses.get("shop", "ratings");
    await waitFor(async () => (await stored())?.status?.phase === "InvalidSpec", { timeoutMs: 2000, what: "InvalidSpec" });
    expect((await stored())?.status?.conditions).toEqual([
      {
        type: "SpecValid",
        status: "False",
        reason: "InvalidSpec",
        message: "spec.analysis.metrics[0].query: unknown placeholder {{namspace}}: use {{namespace}}, {{service}}, {{interval}}",
        lastTransitionTime: "2026-03-01T12:00:00Z",
        observedGeneration: 1,
      },
    ]);
    // Its own status write came back through the watch and changed nothing more; now the spec is fixed.
    expect(world.statuses.writes).toBe(1);
    world.put(WatchedKind.rollouts, { ...((await stored()) as object), metadata: { ...rollout.metadata, generation: 2 }, spec: rollout.spec } as never);
    await waitFor(async () => (await stored())?.status?.phase === "Idle", { timeoutMs: 2000, what: "valid again" });
    expect(world.statuses.writes).toBe(2);
    expect(facts.facts.filter((f) => f.subject === Event.rolloutSpecChanged).map((f) => f.id)).toEqual(["rollout:ro-1:spec_changed:2"]);
  });
});
