// The Rollouts adapter against sim-cluster (a Kubernetes API simulator) through client-node.
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VMRolloutResource } from "../../schemas/rollout.js";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { ratingsSpec } from "./fakes.test-util.js";
import { createKubeRollouts } from "./kube.js";

let sim: RunningSimCluster;
beforeAll(async () => {
  sim = await startSimCluster({ clock: () => 1_700_000_000_000 });
  const kc = sim.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const crd = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural, kind } = VMRolloutResource;
  for (const ns of ["shop", "shop-eu"]) await core.createNamespace({ body: { metadata: { name: ns } } });
  const create = (namespace: string, name: string, spec: unknown) =>
    crd.createNamespacedCustomObject({ group, version, plural, namespace, body: { apiVersion: `${group}/${version}`, kind, metadata: { name }, spec } });
  await create("shop", "ratings", ratingsSpec({ source: { repository: "Org/Ratings" } }));
  await create("shop-eu", "ratings", ratingsSpec({ source: { repository: "org/ratings", tagPattern: "eu-v*" } }));
  await create("shop", "reviews", ratingsSpec({ service: "reviews", source: { repository: "org/reviews" } }));
  await create("shop", "manual", ratingsSpec({ service: "manual", source: undefined }));
});
afterAll(async () => {
  await sim?.close();
});

describe("createKubeRollouts", () => {
  it("finds the rollouts of a repository in every namespace, ignoring case, across pages", async () => {
    const rollouts = createKubeRollouts(sim.kubeConfig(), { pageSize: 1 });
    const found = await rollouts.findByRepository("org/RATINGS");
    expect(found.map((r) => `${r.namespace}/${r.name}`).sort()).toEqual(["shop-eu/ratings", "shop/ratings"]);
    expect(found.find((r) => r.namespace === "shop-eu")?.spec.source?.tagPattern).toBe("eu-v*");
    expect(found[0]?.generation).toBe(1);
    expect(await rollouts.findByRepository("org/unknown")).toEqual([]);
  });

  it("a namespaced install lists only its namespaces (list on vmrollouts there is enough)", async () => {
    const rollouts = createKubeRollouts(sim.kubeConfig(), { pageSize: 1, namespaces: ["shop-eu"] });
    expect((await rollouts.findByRepository("org/ratings")).map((r) => `${r.namespace}/${r.name}`)).toEqual(["shop-eu/ratings"]);
  });

  it("gets one rollout, or null when it does not exist", async () => {
    const rollouts = createKubeRollouts(sim.kubeConfig());
    expect(await rollouts.get("shop", "manual")).toMatchObject({ namespace: "shop", name: "manual", spec: { service: "manual" } });
    expect(await rollouts.get("shop", "nope")).toBeNull();
  });

  it("takes the serving version from status.stableVersion once Siskin promoted one", async () => {
    const rollouts = createKubeRollouts(sim.kubeConfig());
    expect((await rollouts.get("shop", "reviews"))?.spec.stableVersion).toBe(ratingsSpec().stableVersion);
    const obj = sim.store.get("vmrollouts.siskin.dev", "shop", "reviews");
    if (obj === undefined) throw new Error("shop/reviews is missing");
    sim.store.updateStatus({ ...obj, status: { phase: "Promoted", stableVersion: "v9.9.9" } });
    expect((await rollouts.get("shop", "reviews"))?.spec.stableVersion).toBe("v9.9.9");
    expect((await rollouts.findByRepository("org/reviews"))[0]?.spec.stableVersion).toBe("v9.9.9");
  });
});
