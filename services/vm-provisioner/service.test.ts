import { describe, expect, it } from "vitest";
import { message, type MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import { Command, Event } from "../../schemas/subjects.js";
import { destinationRule, goodInput, namespace, userGuideService } from "./fixtures.test-util.js";
import { KubeApiError, type EventPublisher, type MeshObjects, type VirtualMachines } from "./ports.js";
import { createService } from "./service.js";
import type { VirtualMachine } from "./vm-types.js";

function fakeVms() {
  const store = new Map<string, VirtualMachine>();
  let rv = 0;
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const calls: string[] = [];
  const vms: VirtualMachines & { failNext?: KubeApiError } = {
    async create(vm) {
      calls.push(`create ${vm.metadata.name}`);
      if (vms.failNext) throw vms.failNext;
      if (store.has(key(vm.metadata.namespace, vm.metadata.name))) throw new KubeApiError("create: AlreadyExists", 409, "AlreadyExists");
      const stored = { ...structuredClone(vm), metadata: { ...vm.metadata, resourceVersion: String(++rv) } };
      store.set(key(vm.metadata.namespace, vm.metadata.name), stored);
      return structuredClone(stored);
    },
    async get(ref) {
      const vm = store.get(key(ref.namespace, ref.name));
      return vm === undefined ? null : structuredClone(vm);
    },
    async list(ns, selector) {
      const want = selector.split(",").map((kv) => kv.split("=") as [string, string]);
      return [...store.values()].filter((v) => v.metadata.namespace === ns && want.every(([k, val]) => v.metadata.labels?.[k] === val)).map((v) => structuredClone(v));
    },
    async patch(ref, p) {
      calls.push(`patch ${ref.name}`);
      const vm = store.get(key(ref.namespace, ref.name));
      if (vm === undefined) throw new KubeApiError("not found", 404, "NotFound");
      const wantRv = (p.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      if (wantRv !== undefined && wantRv !== vm.metadata.resourceVersion) throw new KubeApiError("conflict", 409, "Conflict");
      Object.assign(vm.spec, p.spec);
      vm.metadata.resourceVersion = String(++rv);
      return structuredClone(vm);
    },
    async delete(ref) {
      calls.push(`delete ${ref.name}`);
      store.delete(key(ref.namespace, ref.name));
    },
  };
  return { vms, store, calls, bump: (name: string) => { const v = store.get(key("shop", name)); if (v) v.metadata.resourceVersion = String(++rv); } };
}

function fakeMesh(over: Partial<{ service: unknown; dr: unknown; ns: unknown }> = {}): MeshObjects {
  return {
    service: async () => ("service" in over ? over.service : userGuideService()) as never,
    destinationRule: async () => ("dr" in over ? over.dr : destinationRule("v1")) as never,
    namespace: async () => ("ns" in over ? over.ns : namespace()) as never,
  };
}

function recorder() {
  const seen = new Set<string>();
  const out: Array<{ subject: string; id: string; data: unknown; causationId?: string; releaseId?: string }> = [];
  const events: EventPublisher = {
    async publish(subject, msg) {
      if (seen.has(msg.id)) return;
      seen.add(msg.id);
      out.push({ subject, ...msg });
    },
  };
  return { events, out };
}

const good = goodInput();
function provisionCmd(id = "cmd-1", version = "v2"): MessageOf<typeof Command.vmProvision> {
  return message(Command.vmProvision, {
    id,
    occurredAt: "2025-01-01T00:00:00Z",
    releaseId: `shop/vmi-istio/${version}`,
    data: { rollout: good.rollout, spec: good.spec, version, vmName: `vmi-istio-${version}` },
  });
}
function stopCmd(del = false): MessageOf<typeof Command.vmStop> {
  return message(Command.vmStop, { id: "stop-1", occurredAt: "2025-01-01T00:00:00Z", data: { rollout: good.rollout, version: "v2", delete: del, reason: "rolled back" } });
}

describe("vm-provisioner service (fakes)", () => {
  it("creates the VM and reports it, with the command as cause", async () => {
    const { vms, store } = fakeVms();
    const { events, out } = recorder();
    await createService({ vms, mesh: fakeMesh(), events }).handle(provisionCmd());
    expect(store.get("shop/vmi-istio-v2")?.spec.template.metadata?.annotations).toEqual({ "sidecar.istio.io/inject": "true" });
    expect(out).toEqual([{ subject: Event.vmProvisioned, id: "cmd-1:provisioned", causationId: "cmd-1", releaseId: "shop/vmi-istio/v2", data: { vm: { namespace: "shop", name: "vmi-istio-v2" }, version: "v2", created: true } }]);
  });

  it("is idempotent: a repeated command creates nothing and reports created:false", async () => {
    const { vms, store } = fakeVms();
    const { events, out } = recorder();
    const svc = createService({ vms, mesh: fakeMesh(), events });
    await svc.handle(provisionCmd("cmd-1"));
    const before = structuredClone(store.get("shop/vmi-istio-v2"));
    await svc.handle(provisionCmd("cmd-2"));
    expect(store.get("shop/vmi-istio-v2")).toEqual(before);
    expect(out.map((e) => (e.data as { created: boolean }).created)).toEqual([true, false]);
  });

  it("refuses a VM name taken by another version", async () => {
    const { vms, store } = fakeVms();
    const { events, out } = recorder();
    const svc = createService({ vms, mesh: fakeMesh(), events });
    await svc.handle(provisionCmd("cmd-1"));
    store.get("shop/vmi-istio-v2")!.metadata.labels!["siskin.dev/release-version"] = "v1";
    await svc.handle(provisionCmd("cmd-2"));
    expect(out[1]).toMatchObject({ subject: Event.vmProvisionFailed, data: { retryable: false, problems: [{ code: "VM_NAME_TAKEN" }] } });
  });

  it("publishes every preflight problem and creates nothing", async () => {
    const { vms, calls } = fakeVms();
    const { events, out } = recorder();
    await createService({ vms, mesh: fakeMesh({ service: null, dr: null }), events }).handle(provisionCmd());
    expect(calls).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ subject: Event.vmProvisionFailed, id: "cmd-1:provision_failed", data: { version: "v2", retryable: false } });
    expect((out[0]?.data as { problems: Array<{ code: string }> }).problems.map((p) => p.code)).toEqual(["SERVICE_NOT_FOUND", "DESTINATION_RULE_NOT_FOUND"]);
  });

  it("throws a retryable error when the API is unavailable, and a refused VM is a permanent failure", async () => {
    const { vms } = fakeVms();
    const { events, out } = recorder();
    const svc = createService({ vms, mesh: fakeMesh(), events });
    vms.failNext = new KubeApiError("create: connect ECONNREFUSED", undefined);
    const err = await svc.handle(provisionCmd()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiskinError);
    expect((err as SiskinError).retryable).toBe(true);
    expect(out).toEqual([]);
    vms.failNext = new KubeApiError("create: HTTP 422 Invalid: spec.template.spec.domain: Required value", 422, "Invalid");
    await svc.handle(provisionCmd());
    expect(out[0]).toMatchObject({ subject: Event.vmProvisionFailed, data: { problems: [{ code: "VM_REJECTED" }] } });
  });

  it("halts the version's VMs with a conditional merge patch, retrying a conflict, then reports", async () => {
    const { vms, store, calls, bump } = fakeVms();
    const { events, out } = recorder();
    const svc = createService({ vms, mesh: fakeMesh(), events });
    await svc.handle(provisionCmd());
    const realPatch = vms.patch.bind(vms);
    let raced = false;
    vms.patch = async (ref, p) => {
      if (!raced) {
        raced = true;
        bump(ref.name); // someone else wrote the VM between our read and our patch
      }
      return realPatch(ref, p);
    };
    await svc.handle(stopCmd());
    expect(store.get("shop/vmi-istio-v2")?.spec.runStrategy).toBe("Halted");
    expect(calls.filter((c) => c.startsWith("patch"))).toHaveLength(2);
    expect(out[1]).toMatchObject({ subject: Event.vmStopped, data: { version: "v2", vms: ["vmi-istio-v2"], deleted: false } });
    // Again: already halted, nothing written.
    await svc.handle(stopCmd());
    expect(calls.filter((c) => c.startsWith("patch"))).toHaveLength(2);
  });

  it("deletes when asked", async () => {
    const { vms, store } = fakeVms();
    const { events, out } = recorder();
    const svc = createService({ vms, mesh: fakeMesh(), events });
    await svc.handle(provisionCmd());
    await svc.handle(stopCmd(true));
    expect(store.size).toBe(0);
    expect(out[1]).toMatchObject({ subject: Event.vmStopped, data: { deleted: true, vms: ["vmi-istio-v2"] } });
  });

  it("stops a stable VM it did not create, by the labels the command names", async () => {
    const { vms, store } = fakeVms();
    const { events, out } = recorder();
    store.set("shop/ratings-v1", {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: "ratings-v1", namespace: "shop", resourceVersion: "1", labels: { app: "ratings", version: "v1" } },
      spec: { runStrategy: "Always", template: { spec: {} } },
    } as never);
    const svc = createService({ vms, mesh: fakeMesh(), events });
    const cmd = message(Command.vmStop, {
      id: "stop-v1",
      occurredAt: "2025-01-01T00:00:00Z",
      data: { rollout: good.rollout, version: "v1", delete: false, reason: "rollback window over", matchLabels: { app: "ratings", version: "v1" } },
    });
    await svc.handle(cmd);
    expect(store.get("shop/ratings-v1")?.spec.runStrategy).toBe("Halted");
    expect(out[0]).toMatchObject({ subject: Event.vmStopped, data: { version: "v1", vms: ["ratings-v1"] } });
  });
});
