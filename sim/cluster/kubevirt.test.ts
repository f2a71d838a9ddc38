import { afterEach, describe, expect, it } from "vitest";
import { createSimCluster } from "./sim.js";
import { ApiError } from "./status.js";
import { startWatch } from "./watch.js";
import type { SimCluster } from "./sim.js";
import type { KubeObject } from "./types.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
let sim: SimCluster;
afterEach(() => sim?.dispose());

type Status = Record<string, unknown> & {
  phase?: string;
  conditions?: Array<Record<string, unknown>>;
  migrationState?: Record<string, unknown>;
  interfaces?: Array<Record<string, unknown>>;
  nodeName?: string;
  printableStatus?: string;
};
const status = (o: KubeObject | undefined): Status => (o?.status ?? {}) as Status;
const cond = (o: KubeObject | undefined, type: string): Record<string, unknown> | undefined => status(o).conditions?.find((c) => c.type === type);
const vmi = (name: string): KubeObject | undefined => sim.store.get("vmi", "default", name);

function vm(name: string, annotations: Record<string, string> = {}, runStrategy = "Always"): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace: "default" },
    spec: {
      runStrategy,
      template: {
        metadata: { labels: { app: "reviews", version: "v2" }, annotations: { "sidecar.istio.io/inject": "true", ...annotations } },
        spec: { domain: { devices: { interfaces: [{ name: "default", masquerade: {} }] } }, networks: [{ name: "default", pod: {} }] },
      },
    },
  };
}

function bareVmi(name: string, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name, namespace: "default", annotations }, spec: { domain: { devices: {} } } };
}

const events = (name: string): KubeObject[] => sim.store.list("events", "default", { fieldSelector: `involvedObject.name=${name}` });
const reasons = (name: string, kind?: string): string[] =>
  events(name)
    .filter((e) => !kind || (e.involvedObject as { kind: string }).kind === kind)
    .map((e) => `${String(e.type)} ${String(e.reason)}`);

function recordPhases(name: string): string[] {
  const seen: string[] = [];
  const type = sim.api.registry.resolve("vmi");
  if (!type) throw new Error("vmi not served");
  startWatch(sim.api, { type, version: "v1", namespace: "default" }, { fieldSelector: `metadata.name=${name}` }, (e) => {
    const p = status(e.object as KubeObject).phase ?? "";
    if (seen[seen.length - 1] !== p) seen.push(p);
  });
  return seen;
}

describe("KubeVirt lifecycle", () => {
  it("boots a VM's VMI through Pending → Scheduling → Scheduled → Running with pod, IP, conditions and events", () => {
    sim = createSimCluster({ clock: () => T0 });
    const phases = recordPhases("reviews-v2");
    const created = sim.store.create(vm("reviews-v2"));
    sim.tick();
    const pending = vmi("reviews-v2");
    expect(pending?.metadata.labels).toMatchObject({ app: "reviews", version: "v2" });
    expect(pending?.metadata.annotations).toMatchObject({ "sidecar.istio.io/inject": "true" });
    expect(pending?.metadata.ownerReferences).toEqual([
      { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: "reviews-v2", uid: created.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(status(pending).phase).toBe("Pending");
    expect(status(sim.store.get("vm", "default", "reviews-v2")).printableStatus).toBe("Starting");

    sim.advance(1999);
    expect(status(vmi("reviews-v2")).phase).toBe("Scheduled");
    sim.advance(1);
    const running = vmi("reviews-v2");
    expect(phases).toEqual(["", "Pending", "Scheduling", "Scheduled", "Running"]);
    const st = status(running);
    expect((st.phaseTransitionTimestamps as Array<{ phase: string }>).map((p) => p.phase)).toEqual(["Pending", "Scheduling", "Scheduled", "Running"]);
    expect(st.nodeName).toMatch(/^node0[1-3]$/);
    expect(running?.metadata.labels?.["kubevirt.io/nodeName"]).toBe(st.nodeName);
    expect(st.interfaces?.[0]?.ipAddress).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(cond(running, "Ready")).toEqual({ type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2026-03-01T12:00:02Z" });
    expect(cond(running, "LiveMigratable")?.status).toBe("True");
    expect(cond(running, "AgentConnected")?.status).toBe("True");

    const [pod, ...others] = sim.store.list("pods", "default", { labelSelector: "kubevirt.io=virt-launcher,vm.kubevirt.io/name=reviews-v2" });
    expect(others).toEqual([]);
    expect(pod?.metadata.name).toMatch(/^virt-launcher-reviews-v2-[a-z0-9]{5}$/);
    expect(pod?.metadata.labels).toMatchObject({
      app: "reviews",
      version: "v2",
      "kubevirt.io": "virt-launcher",
      "kubevirt.io/created-by": running?.metadata.uid,
      "vmi.kubevirt.io/id": "reviews-v2",
      "sidecar.istio.io/inject": "true",
    });
    expect(pod?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "VirtualMachineInstance", uid: running?.metadata.uid, controller: true });
    expect(status(pod)).toMatchObject({ phase: "Running", podIP: st.interfaces?.[0]?.ipAddress });
    expect(cond(pod, "Ready")?.status).toBe("True");

    const vmStatus = status(sim.store.get("vm", "default", "reviews-v2"));
    expect(vmStatus).toMatchObject({ printableStatus: "Running", ready: true, created: true });
    expect(reasons("reviews-v2")).toEqual(["Normal SuccessfulCreate", "Normal SuccessfulCreate", "Normal Created", "Normal Started"]);
    const started = events("reviews-v2").find((e) => e.reason === "Started");
    expect(started).toMatchObject({
      involvedObject: { kind: "VirtualMachineInstance", name: "reviews-v2", namespace: "default", uid: running?.metadata.uid, apiVersion: "kubevirt.io/v1" },
      message: "VirtualMachineInstance started.",
      source: { component: "virt-handler", host: st.nodeName },
      count: 1,
      firstTimestamp: "2026-03-01T12:00:02Z",
      lastTimestamp: "2026-03-01T12:00:02Z",
    });
    expect(events("reviews-v2").find((e) => (e.involvedObject as { kind: string }).kind === "VirtualMachine")).toMatchObject({
      source: { component: "virtualmachine-controller" },
      message: "Started the virtual machine by creating the new virtual machine instance reviews-v2",
    });
  });

  it("delays readiness, or never becomes ready, as annotated", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vm("slow", { "sim.siskin.dev/boot-seconds": "1", "sim.siskin.dev/ready-delay-seconds": "5" }));
    sim.store.create(vm("never", { "sim.siskin.dev/never-ready": "true" }));
    sim.advance(1000);
    expect(status(vmi("slow")).phase).toBe("Running");
    expect(cond(vmi("slow"), "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady" });
    sim.advance(5000);
    expect(cond(vmi("slow"), "Ready")?.status).toBe("True");
    expect(status(vmi("never")).phase).toBe("Running");
    expect(cond(vmi("never"), "Ready")?.status).toBe("False");
    sim.store.patch("vmi", "default", "never", { metadata: { annotations: { "sim.siskin.dev/never-ready": null } } });
    sim.tick();
    expect(cond(vmi("never"), "Ready")?.status).toBe("True");
  });

  it("fails boot, and RerunOnFailure restarts it after the restart delay", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vm("bad", { "sim.siskin.dev/fail-boot": "true", "sim.siskin.dev/restart-delay-seconds": "3" }, "RerunOnFailure"));
    sim.advance(2000);
    const failed = vmi("bad");
    expect(status(failed).phase).toBe("Failed");
    expect(reasons("bad")).toContain("Warning SyncFailed");
    expect(status(sim.store.get("vm", "default", "bad")).printableStatus).toBe("CrashLoopBackOff");
    sim.advance(3000);
    const again = vmi("bad");
    expect(again?.metadata.uid).not.toBe(failed?.metadata.uid);
    expect(status(again).phase).toBe("Pending");
  });

  it("crashes after crash-after-seconds with a Warning Stopped event; a bare VMI stays Failed", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(bareVmi("c", { "sim.siskin.dev/crash-after-seconds": "10" }));
    sim.advance(11_999);
    expect(status(vmi("c")).phase).toBe("Running");
    sim.advance(1);
    expect(status(vmi("c")).phase).toBe("Failed");
    expect(cond(vmi("c"), "Ready")?.status).toBe("False");
    const crash = events("c").find((e) => e.reason === "Stopped");
    expect(crash).toMatchObject({ type: "Warning", message: "The VirtualMachineInstance crashed.", source: { component: "virt-handler" } });
    sim.advance(60_000);
    expect(status(vmi("c")).phase).toBe("Failed");
    expect(status(sim.store.list("pods", "default")[0]).phase).toBe("Failed");
  });

  it("scripts faults on a live VMI: crash-now, and Always restarts the VM", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vm("live"));
    sim.advance(2000);
    const first = vmi("live");
    sim.store.patch("vmi", "default", "live", { metadata: { annotations: { "sim.siskin.dev/crash-now": "true" } } });
    sim.tick();
    expect(status(vmi("live")).phase).toBe("Failed");
    sim.advance(1000);
    const second = vmi("live");
    expect(second?.metadata.uid).not.toBe(first?.metadata.uid);
    expect(second?.metadata.annotations?.["sim.siskin.dev/crash-now"]).toBeUndefined();
    sim.advance(2000);
    expect(status(vmi("live")).phase).toBe("Running");
    const vmEvents = events("live").filter((e) => (e.involvedObject as { kind: string }).kind === "VirtualMachine" && e.reason === "SuccessfulCreate");
    expect(vmEvents).toHaveLength(1);
    expect(vmEvents[0]?.count).toBe(2);

    sim.store.patch("vmi", "default", "live", { metadata: { annotations: { "sim.siskin.dev/crash-after-seconds": "5" } } });
    sim.advance(4999);
    expect(status(vmi("live")).phase).toBe("Running");
    sim.advance(1);
    expect(status(vmi("live")).phase).toBe("Failed");
  });

  it("stops the VMI when the VM is halted, and removes it when the VM is deleted", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vm("h"));
    sim.advance(2000);
    const uid = vmi("h")?.metadata.uid;
    sim.store.patch("vm", "default", "h", { spec: { runStrategy: "Halted" } });
    sim.tick();
    expect(vmi("h")).toBeUndefined();
    expect(sim.store.list("pods", "default")).toEqual([]);
    expect(status(sim.store.get("vm", "default", "h"))).toMatchObject({ printableStatus: "Stopped" });
    const stopped = events("h").find((e) => e.reason === "Stopped");
    expect(stopped).toMatchObject({ type: "Normal", message: "The VirtualMachineInstance was shut down.", involvedObject: { uid } });
    expect(reasons("h", "VirtualMachine")).toContain("Normal SuccessfulDelete");

    sim.store.patch("vm", "default", "h", { spec: { runStrategy: null, running: true } });
    sim.advance(2000);
    expect(status(vmi("h")).phase).toBe("Running");
    sim.store.delete("vm", "default", "h");
    sim.tick();
    expect(vmi("h")).toBeUndefined();
    expect(sim.store.list("pods", "default")).toEqual([]);
  });

  it("live-migrates to another node with migrationState, labels, target pod and events", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vm("m", { "sim.siskin.dev/migration-seconds": "10" }));
    sim.advance(2000);
    const before = vmi("m");
    const source = status(before).nodeName;
    const oldIp = status(before).interfaces?.[0]?.ipAddress;
    const vmim = sim.store.create({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "mig", namespace: "default" }, spec: { vmiName: "m" } });
    sim.tick();
    sim.advance(2000);
    const mid = vmi("m");
    const target = mid?.metadata.labels?.["kubevirt.io/migrationTargetNodeName"];
    expect(target).toMatch(/^node0[1-3]$/);
    expect(target).not.toBe(source);
    sim.advance(3000);
    expect(status(sim.store.get("vm", "default", "m")).printableStatus).toBe("Migrating");
    expect(status(vmi("m")).migrationState).toMatchObject({ startTimestamp: "2026-03-01T12:00:07Z", completed: false, mode: "PreCopy" });
    expect(cond(vmi("m"), "Ready")?.status).toBe("True");
    sim.advance(5000);
    const after = vmi("m");
    expect(status(after).nodeName).toBe(target);
    expect(after?.metadata.labels?.["kubevirt.io/nodeName"]).toBe(target);
    expect(after?.metadata.labels?.["kubevirt.io/migrationTargetNodeName"]).toBeUndefined();
    expect(status(after).interfaces?.[0]?.ipAddress).not.toBe(oldIp);
    const ms = status(after).migrationState;
    expect(ms).toMatchObject({
      migrationUid: vmim.metadata.uid,
      sourceNode: source,
      targetNode: target,
      completed: true,
      failed: false,
      mode: "PreCopy",
      startTimestamp: "2026-03-01T12:00:07Z",
      endTimestamp: "2026-03-01T12:00:12Z",
    });
    expect(String(ms?.targetPod)).toMatch(/^virt-launcher-m-/);
    const pods = sim.store.list("pods", "default");
    expect(pods.map((p) => p.metadata.name)).toEqual([ms?.targetPod]);
    const mig = sim.store.get("vmim", "default", "mig");
    expect(status(mig).phase).toBe("Succeeded");
    expect((status(mig).phaseTransitionTimestamps as Array<{ phase: string }>).map((p) => p.phase)).toEqual([
      "Pending",
      "Scheduling",
      "Scheduled",
      "PreparingTarget",
      "TargetReady",
      "Running",
      "Succeeded",
    ]);
    expect(status(mig).migrationState).toMatchObject({ completed: true, targetNode: target });
    expect(reasons("m", "VirtualMachineInstance")).toEqual(expect.arrayContaining(["Normal PreparingTarget", "Normal Migrating", "Normal Migrated"]));
    expect(reasons("mig")).toEqual(["Normal SuccessfulCreate", "Normal SuccessfulMigration"]);
    expect(status(sim.store.get("vm", "default", "m")).printableStatus).toBe("Running");
  });

  it("fails a migration as annotated and drops readiness during one when told to", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vm("f", { "sim.siskin.dev/migration-fails": "true", "sim.siskin.dev/not-ready-during-migration": "true" }));
    sim.advance(2000);
    const source = status(vmi("f")).nodeName;
    sim.store.create({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "mf", namespace: "default" }, spec: { vmiName: "f" } });
    sim.advance(1600);
    expect(status(sim.store.get("vmim", "default", "mf")).phase).toBe("Running");
    expect(cond(vmi("f"), "Ready")?.status).toBe("False");
    sim.advance(1500);
    expect(status(sim.store.get("vmim", "default", "mf")).phase).toBe("Failed");
    expect(status(vmi("f")).nodeName).toBe(source);
    expect(status(vmi("f")).migrationState).toMatchObject({ completed: true, failed: true, failureReason: expect.stringContaining("Live migration failed") });
    expect(cond(vmi("f"), "Ready")?.status).toBe("True");
    expect(reasons("f", "VirtualMachineInstance")).toContain("Warning Migrated");
    expect(reasons("mf")).toContain("Warning FailedMigration");
    expect(sim.store.list("pods", "default")).toHaveLength(1);
  });

  it("rejects a migration of a VMI that does not exist, like KubeVirt's admission webhook", () => {
    sim = createSimCluster({ clock: () => T0 });
    try {
      sim.store.create({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "x", namespace: "default" }, spec: { vmiName: "nope" } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toMatchObject({ code: 422, message: expect.stringContaining('admission webhook "migration-create-validator.kubevirt.io" denied the request') });
    }
  });

  it("aborts a migration whose VMIM is deleted mid-flight, and runs a runStrategy Once VM only once", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vm("once", { "sim.siskin.dev/crash-after-seconds": "1" }, "Once"));
    sim.advance(2000);
    const source = status(vmi("once")).nodeName;
    sim.store.create({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "ab", namespace: "default" }, spec: { vmiName: "once" } });
    sim.advance(300);
    expect(sim.store.list("pods", "default")).toHaveLength(2);
    sim.store.delete("vmim", "default", "ab");
    sim.tick();
    expect(status(vmi("once")).migrationState).toMatchObject({ abortStatus: "Succeeded", completed: true, failed: true });
    expect(vmi("once")?.metadata.labels?.["kubevirt.io/migrationTargetNodeName"]).toBeUndefined();
    expect(status(vmi("once")).nodeName).toBe(source);
    expect(sim.store.list("pods", "default")).toHaveLength(1);
    sim.advance(1000);
    expect(status(vmi("once")).phase).toBe("Failed");
    sim.advance(10_000);
    expect(status(vmi("once")).phase).toBe("Failed");
    expect(status(sim.store.get("vm", "default", "once")).printableStatus).toBe("Stopped");
  });
});
