// The mesh routes by the live VirtualService weights, measured through a real Prometheus with PromQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../harness/index.js";
import { startWorld, waitForSamples, type World } from "./sim-mesh-world.test-util.js";

const shareQuery = (window: string) =>
  `sum by (destination_version) (rate(istio_requests_total{reporter="destination",destination_workload_namespace="default",destination_service_name="web"}[${window}]))`;

async function shares(world: World, window: string): Promise<Record<string, number>> {
  const rows = await world.query(shareQuery(window));
  const total = rows.reduce((s, r) => s + r.value, 0);
  return Object.fromEntries(rows.map((r) => [r.metric["destination_version"] ?? "?", (100 * r.value) / total]));
}

describe("sim-mesh traffic through Prometheus", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ weights: [90, 10], perScrape: 500 });
  });
  afterAll(async () => {
    await world?.close();
  });

  it("per-version request rate is 90/10 ±3 points, and follows a patch to 50/50 within a few scrapes", async () => {
    await waitForSamples(world, "2", 6);
    const before = await shares(world, "5s");
    expect(Math.abs((before["1"] ?? 0) - 90)).toBeLessThanOrEqual(3);
    expect(Math.abs((before["2"] ?? 0) - 10)).toBeLessThanOrEqual(3);

    const patchedAt = Date.now();
    world.setWeights(50, 50);
    // The watch delivers the patch to the router (no scrape needed for that)…
    await waitFor(() => world.mesh.objects().virtualServices[0]?.spec?.http?.[0]?.route?.[0]?.weight === 50, { timeoutMs: 1000, what: "the VirtualService patch to reach the mesh" });
    expect(Date.now() - patchedAt).toBeLessThan(1000);
    // …and the short-window rate in Prometheus follows within a few 1 s scrapes.
    const followed = await waitFor(
      async () => {
        const s = await shares(world, "3s");
        return Math.abs((s["2"] ?? 0) - 50) <= 3 ? s : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: "a 50/50 split in PromQL" },
    );
    expect(Date.now() - patchedAt).toBeLessThan(8000);
    expect(Math.abs((followed["1"] ?? 0) - 50)).toBeLessThanOrEqual(3);
    // Once the 5 s window holds only post-patch scrapes, the split stays 50/50.
    await waitFor(() => Date.now() - patchedAt > 6500, { timeoutMs: 8000, intervalMs: 100, what: "a full 5 s window after the patch" });
    const after = await shares(world, "5s");
    expect(Math.abs((after["2"] ?? 0) - 50)).toBeLessThanOrEqual(3);
  });

  it("a person can send requests through the front: POST /request and the proxy form", async () => {
    const one = (await (await fetch(`${world.mesh.url}/request`, { method: "POST", body: JSON.stringify({ service: "web", namespace: "default" }) })).json()) as { code: number; version: string; flag: string };
    expect(one).toMatchObject({ code: 200, flag: "-" });
    expect(["1", "2"]).toContain(one.version);
    const many = (await (await fetch(`${world.mesh.url}/request`, { method: "POST", body: JSON.stringify({ host: "web.default", count: 100 }) })).json()) as { total: number };
    expect(many.total).toBe(100);
    // curl -x <mesh> http://web.default/ — the request line carries the absolute URL.
    const { request } = await import("node:http");
    const proxied = await new Promise<{ status: number; version: string | undefined }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: world.mesh.port, path: "http://web.default/hello", method: "GET", headers: { host: "web.default" } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, version: res.headers["x-sim-version"] as string | undefined }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(proxied.status).toBe(200);
    expect(["1", "2"]).toContain(proxied.version);
    const unknown = await fetch(`${world.mesh.url}/request`, { method: "POST", body: JSON.stringify({ host: "nowhere.example" }) });
    expect(await unknown.json()).toMatchObject({ code: 404, flag: "NR" });
    expect((await fetch(`${world.mesh.url}/request`, { method: "POST", body: "{}" })).status).toBe(400);
  });

  it("generate() and snapshot() count per version deterministically, and tick() drives a bounded load", () => {
    const before = world.mesh.snapshot()["default/web"]?.total ?? 0;
    const counts = world.mesh.generate({ service: "web", namespace: "default", count: 1000 });
    expect(counts.total).toBe(1000);
    expect((counts.byVersion["1"] ?? 0) + (counts.byVersion["2"] ?? 0)).toBe(1000);
    world.mesh.startLoad({ service: "web", namespace: "default", rps: 40, maxSeconds: 2 });
    expect(world.mesh.tick(500)).toBe(20);
    expect(world.mesh.tick(5000)).toBe(60);
    expect(world.mesh.tick(1000)).toBe(0);
    expect((world.mesh.snapshot()["default/web"]?.total ?? 0) - before).toBeGreaterThanOrEqual(1080);
  });
});
