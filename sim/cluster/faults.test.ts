// The API fault injector over HTTP: settable at run time, seeded, counted; faults never reach the store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiFaults } from "./faults.js";
import { startSimCluster, type RunningSimCluster } from "./index.js";

let sim: RunningSimCluster;
beforeAll(async () => {
  sim = await startSimCluster({ tickMs: 0, bookmarkMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { a: "1" } });
const call = async (method: string, path: string, body?: unknown, type = "application/json") => {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { "content-type": type }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("sim-cluster API faults", () => {
  it("answers every resource request 500 or 503 at errorRate 1, and serves discovery untouched", async () => {
    expect((await call("PUT", "/_sim/faults", { errorRate: 1 })).status).toBe(200);
    const codes = new Set<number>();
    for (let i = 0; i < 20; i++) codes.add((await call("GET", "/api/v1/namespaces/default/configmaps")).status);
    expect([...codes].sort()).toEqual([500, 503]);
    expect((await call("GET", "/api/v1")).status).toBe(200);
    const { body } = await call("GET", "/_sim/faults");
    expect((body["counts"] as { error500: number; error503: number }).error500 + (body["counts"] as { error503: number }).error503).toBe(20);
    await call("PUT", "/_sim/faults", { errorRate: 0 });
  });

  it("answers writes 409 at conflictRate 1 without applying them; reads pass", async () => {
    expect((await call("POST", "/api/v1/namespaces/default/configmaps", cm("c1"))).status).toBe(201);
    sim.faults.set({ conflictRate: 1 });
    const patched = await call("PATCH", "/api/v1/namespaces/default/configmaps/c1", { data: { a: "2" } }, "application/merge-patch+json");
    expect(patched.status).toBe(409);
    expect(patched.body["reason"]).toBe("Conflict");
    const read = await call("GET", "/api/v1/namespaces/default/configmaps/c1");
    expect(read.status).toBe(200);
    expect((read.body["data"] as { a: string }).a).toBe("1");
    sim.faults.set({ conflictRate: 0 });
    expect((await call("PATCH", "/api/v1/namespaces/default/configmaps/c1", { data: { a: "2" } }, "application/merge-patch+json")).status).toBe(200);
  });

  it("rejects unknown settings with 400 naming them", async () => {
    const r = await call("PUT", "/_sim/faults", { errorRat: 0.5 });
    expect(r.status).toBe(400);
    expect(String(r.body["message"])).toMatch(/unknown setting "errorRat"/);
  });

  it("cuts watch streams and expires history (a re-watch from the old resourceVersion gets 410)", async () => {
    const list = await call("GET", "/api/v1/namespaces/default/configmaps");
    const rv = (list.body["metadata"] as { resourceVersion: string }).resourceVersion;
    const ac = new AbortController();
    const res = await fetch(`${sim.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, { signal: ac.signal });
    const reader = res.body!.getReader();
    expect(sim.watchCount()).toBe(1);
    const before = sim.faults.counts().watchCut;
    sim.faults.cutWatches();
    // The stream ends (done) once the server closes it.
    for (;;) if ((await reader.read()).done) break;
    expect(sim.faults.counts().watchCut).toBe(before + 1);

    expect((await call("POST", "/_sim/faults/expire")).status).toBe(200);
    const again = await fetch(`${sim.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`);
    const line = JSON.parse((await again.text()).trim().split("\n")[0] ?? "{}") as { type: string; object: { code: number } };
    expect(line).toMatchObject({ type: "ERROR", object: { code: 410 } });
    expect(sim.faults.counts().gone410).toBe(1);
  });

  it("draws the same faults from the same seed", () => {
    const draw = (seed: number) => {
      const f = createApiFaults(seed);
      f.set({ errorRate: 0.3, conflictRate: 0.3, slowRate: 0.3, slowMs: 5 });
      return Array.from({ length: 50 }, () => f.decide({ method: "PATCH", write: true, resource: "virtualservices.networking.istio.io" }).kind).join(",");
    };
    expect(draw(7)).toBe(draw(7));
    expect(draw(7)).not.toBe(draw(8));
  });
});
