// The mesh follows the simulated KubeVirt lifecycle through watches: no traffic before Ready, a fault that
// starts N seconds after Ready (on the cluster's clock), extra latency while live-migrating.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { Annotation, startSimMesh, type SimMesh } from "../../sim/mesh/index.js";
import { waitFor } from "../harness/index.js";

describe("sim-mesh follows the VM lifecycle", () => {
  let cluster: RunningSimCluster;
  let mesh: SimMesh;
  const t0 = Date.UTC(2026, 0, 1);

  beforeAll(async () => {
    cluster = await startSimCluster({ clock: () => t0 });
    mesh = await startSimMesh({ kubeConfig: cluster.kubeConfig(), clock: () => cluster.now(), timers: "manual" });
  });
  afterAll(async () => {
    await mesh?.close();
    await cluster?.close();
  });

  const vmi = (name: string) => mesh.objects().vmis.find((v) => v.metadata.name === name);
  const seen = (what: string, probe: () => boolean) => waitFor(probe, { timeoutMs: 3000, what });

  it("no endpoint until Ready (503 UH), then answers; the fault starts fault-after-seconds after Ready", async () => {
    const s = cluster.store;
    s.create({ apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: "default" }, spec: { selector: { app: "api" } } });
    s.create({
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "api-v3", namespace: "default" },
      spec: {
        runStrategy: "Always",
        template: {
          metadata: {
            labels: { app: "api", version: "3" },
            annotations: { "sim.siskin.dev/boot-seconds": "2", [Annotation.errorRate]: "1", [Annotation.errorCodes]: "502", [Annotation.faultAfter]: "5", [Annotation.migrationLatency]: "400", [Annotation.latencyProfile]: "fast" },
          },
          spec: { domain: { devices: {} } },
        },
      },
    });
    await seen("the VMI to be watched", () => vmi("api-v3") !== undefined);
    expect(mesh.generate({ service: "api", namespace: "default", count: 10 }).byFlag).toEqual({ UH: 10 });

    cluster.advance(3000);
    await seen("the VMI to be Ready", () => vmi("api-v3")?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true);
    expect(mesh.generate({ service: "api", namespace: "default", count: 50 }).byCode).toEqual({ "200": 50 });

    cluster.advance(6000); // past fault-after-seconds on the cluster clock
    expect(mesh.generate({ service: "api", namespace: "default", count: 50 }).byCode).toEqual({ "502": 50 });
  });

  it("adds migration-latency-ms while the VMI migrates, and exports the migration", async () => {
    const s = cluster.store;
    s.patch("vmi", "default", "api-v3", { metadata: { annotations: { [Annotation.errorRate]: "0" } } }, "merge");
    await seen("the fault to be lifted", () => vmi("api-v3")?.metadata.annotations?.[Annotation.errorRate] === "0");
    const before = mesh.request({ host: "api.default" });
    expect(before.latencyMs).toBeLessThan(200); // "fast": p99 20 ms
    s.create({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "mig-1", namespace: "default" }, spec: { vmiName: "api-v3" } });
    cluster.advance(500);
    await seen("the migration to start", () => {
      const ms = vmi("api-v3")?.status?.migrationState;
      return ms !== undefined && ms !== null && ms.completed !== true;
    });
    const during = mesh.request({ host: "api.default" });
    expect(during.code).toBe(200);
    expect(during.latencyMs).toBeGreaterThanOrEqual(400);
    const text = await (await fetch(mesh.metricsUrl)).text();
    expect(text).toContain("kubevirt_vmi_migrations_in_running_phase 1");
    cluster.advance(10_000);
    await seen("the migration to complete", () => vmi("api-v3")?.status?.migrationState?.completed === true);
    expect(mesh.request({ host: "api.default" }).latencyMs).toBeLessThan(200);
  });
});
