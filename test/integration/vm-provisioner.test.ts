/**
 * vm-provisioner's `main()` against the simulated cluster and a real nats-server: commands go in
 * through JetStream, the VirtualMachine appears in the cluster (read back with client-node), and
 * the events come out on the EVENTS stream.
 */
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Command, Event } from "../../schemas/subjects.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import { createPublisher, type Publisher } from "../../services/runtime/index.js";
import { main } from "../../services/vm-provisioner/main.js";
import { templateFrom } from "../../services/vm-provisioner/fixtures.test-util.js";
import { readStream, startWorld, waitForEvent, type World } from "./cluster-workers.test-util.js";

let world: World;
let running: Awaited<ReturnType<typeof main>>;
let commands: Publisher;
let vms: k8s.CustomObjectsApi;

const rollout = { namespace: "shop", name: "vmi-istio" };
const spec: VMRolloutSpec = {
  service: "vmi-istio",
  virtualService: { name: "vmi-istio" },
  destinationRule: { name: "vmi-istio" },
  stableVersion: "v1",
  vmTemplate: templateFrom("vmi-istio-user-guide.yaml"),
  image: "registry:5000/kubevirt/fedora-cloud-container-disk-demo",
};

const listVms = async () =>
  ((await vms.listNamespacedCustomObject({ group: "kubevirt.io", version: "v1", namespace: "shop", plural: "virtualmachines" })) as { items: Array<{ metadata: { name: string; resourceVersion: string }; spec: { runStrategy?: string; template: { metadata: { labels: Record<string, string> }; spec: { volumes: Array<{ containerDisk?: { image: string } }> } } } }> }).items;

beforeAll(async () => {
  world = await startWorld();
  const { store } = world.sim;
  store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { "istio-injection": "enabled" } } });
  store.create({ apiVersion: "v1", kind: "Service", metadata: { name: "vmi-istio", namespace: "shop" }, spec: { selector: { app: "vmi-istio" }, ports: [{ name: "http", port: 8080, protocol: "TCP" }] } });
  store.create({ apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "vmi-istio", namespace: "shop" }, spec: { host: "vmi-istio", subsets: [{ name: "v1", labels: { version: "v1" } }] } });
  running = await main(world.env);
  commands = createPublisher(world.nc, { source: "test-orchestrator" });
  vms = world.sim.kubeConfig().makeApiClient(k8s.CustomObjectsApi);
});
afterAll(async () => {
  await running?.stop();
  await world?.stop();
});

describe("vm-provisioner against sim-cluster and nats-server", () => {
  it("creates the canary VM for the mesh, and a repeated command creates nothing new", async () => {
    const provision = (id: string) => commands.publish(Command.vmProvision, { id, releaseId: "shop/vmi-istio/v2", data: { rollout, spec, version: "v2", vmName: "vmi-istio-v2" } });
    await provision("cmd-1");
    const first = await waitForEvent(world.jsm, "evt.vm.provision", (all) => all[0], "provisioned");
    expect(first.msg).toMatchObject({ type: Event.vmProvisioned, causationId: "cmd-1", releaseId: "shop/vmi-istio/v2", data: { vm: { namespace: "shop", name: "vmi-istio-v2" }, version: "v2", created: true } });
    const [vm] = await listVms();
    expect(vm?.spec.runStrategy).toBe("Always");
    expect(vm?.spec.template.metadata.labels).toMatchObject({ app: "vmi-istio", version: "v2", "siskin.dev/rollout": "vmi-istio", "siskin.dev/release-version": "v2" });
    expect(vm?.spec.template.spec.volumes[0]?.containerDisk?.image).toBe("registry:5000/kubevirt/fedora-cloud-container-disk-demo:v2");
    const rv = vm?.metadata.resourceVersion;

    await provision("cmd-2");
    const second = await waitForEvent(world.jsm, "evt.vm.provision", (all) => all[1], "second provisioned");
    expect(second.msg).toMatchObject({ causationId: "cmd-2", data: { created: false } });
    const after = await listVms();
    expect(after).toHaveLength(1);
    // The sim's VM controller writes status; the spec the provisioner owns is unchanged.
    expect(after[0]?.spec).toEqual(vm?.spec);
    expect(rv).toBeTruthy();
  });

  it("lists every preflight problem and creates nothing", async () => {
    const bad: VMRolloutSpec = { ...spec, service: "missing", destinationRule: { name: "missing" }, vmTemplate: templateFrom("vmi-running-harvester.json") };
    await commands.publish(Command.vmProvision, { id: "cmd-bad", data: { rollout, spec: bad, version: "v3", vmName: "missing-v3" } });
    const failed = await waitForEvent(world.jsm, "evt.vm.provision_failed", (all) => all[0], "provision_failed");
    const problems = (failed.msg.data as { problems: Array<{ code: string; fix: string }> }).problems;
    expect(problems.map((p) => p.code)).toEqual(["NO_POD_NETWORK", "NO_CONTAINER_DISK", "SERVICE_NOT_FOUND", "DESTINATION_RULE_NOT_FOUND"]);
    expect(failed.msg.data).toMatchObject({ version: "v3", retryable: false });
    expect((await listVms()).map((v) => v.metadata.name)).toEqual(["vmi-istio-v2"]);
  });

  it("halts the version's VMs and says so", async () => {
    await commands.publish(Command.vmStop, { id: "stop-1", data: { rollout, version: "v2", delete: false, reason: "rolled back" } });
    const stopped = await waitForEvent(world.jsm, "evt.vm.stopped", (all) => all[0], "stopped");
    expect(stopped.msg.data).toEqual({ version: "v2", vms: ["vmi-istio-v2"], deleted: false });
    expect((await listVms())[0]?.spec.runStrategy).toBe("Halted");
    expect((await readStream(world.jsm, "evt.vm.")).map((s) => s.subject)).toEqual([Event.vmProvisioned, Event.vmProvisioned, Event.vmProvisionFailed, Event.vmStopped]);
  });
});
