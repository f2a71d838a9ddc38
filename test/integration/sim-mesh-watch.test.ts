// The mesh's watches survive what API servers do to long watches: dropped streams and expired history (410).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { startSimMesh, type SimMesh } from "../../sim/mesh/index.js";
import { waitFor } from "../harness/index.js";

describe("sim-mesh watches", () => {
  let cluster: RunningSimCluster;
  let mesh: SimMesh;
  const errors: string[] = [];
  const vs = (w: number) => ({
    apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", metadata: { name: "web", namespace: "default" },
    spec: { hosts: ["web"], http: [{ route: [{ destination: { host: "web", subset: "v1" }, weight: 100 - w }, { destination: { host: "web", subset: "v2" }, weight: w }] }] },
  });
  const weight = () => mesh.objects().virtualServices.find((v) => v.metadata.name === "web")?.spec?.http?.[0]?.route?.[1]?.weight;

  beforeAll(async () => {
    cluster = await startSimCluster({ clock: () => Date.UTC(2026, 0, 1) });
    cluster.store.create(vs(10));
    mesh = await startSimMesh({ kubeConfig: cluster.kubeConfig(), timers: "manual", log: (m) => errors.push(m) });
  });
  afterAll(async () => {
    await mesh?.close();
    await cluster?.close();
  });

  it("lists what exists before it started", () => {
    expect(weight()).toBe(10);
  });

  it("follows changes after the server drops every watch stream", async () => {
    cluster.dropWatches();
    await waitFor(() => cluster.watchCount() >= 5, { timeoutMs: 5000, what: "the mesh's 5 watches to reconnect" });
    cluster.store.apply(vs(30));
    await waitFor(() => weight() === 30, { timeoutMs: 3000, what: "weight 30 after reconnecting" });
  });

  it("relists after the watch history expired (410 Gone)", async () => {
    cluster.expireHistory();
    cluster.store.apply(vs(60));
    await waitFor(() => weight() === 60, { timeoutMs: 5000, what: "weight 60 after a 410" });
    cluster.store.delete("virtualservices.networking.istio.io", "default", "web");
    await waitFor(() => weight() === undefined, { timeoutMs: 3000, what: "the deletion" });
    expect(mesh.generate({ host: "web", count: 3 }).byFlag).toEqual({ NR: 3 });
  });
});
