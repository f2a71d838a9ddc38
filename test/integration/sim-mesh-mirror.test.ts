// Mirror and matched steps, planned by the traffic-router's planner, applied to the simulated cluster as
// the guarded JSON patch, routed by sim-mesh and measured through a real Prometheus with the analyzer's
// own PromQL (builtin-queries.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinQuery, istioLabels } from "../../services/metrics-analyzer/builtin-queries.js";
import { planTraffic, type PlanTrafficInput, type VirtualService } from "../../services/traffic-router/plan.js";
import { waitFor } from "../harness/index.js";
import { startWorld, waitForSamples, type World } from "./sim-mesh-world.test-util.js";

const selection = { split: { by: "subset", stableSubset: "v1", canarySubset: "v2" } } as const;
const COUNTERS = `sum by (reporter, destination_version) (istio_requests_total{destination_workload_namespace="default",destination_canonical_service="web"})`;

/** Plans a step against the live VirtualService and applies it as the guarded JSON patch; waits until the mesh routes by it. */
async function applyStep(world: World, step: Omit<PlanTrafficInput, "vs" | "split">): Promise<VirtualService> {
  const s = world.cluster.store;
  const vs = s.get("virtualservices.networking.istio.io", "default", "web") as unknown as VirtualService;
  const plan = planTraffic({ ...selection, ...step, vs });
  if (!plan.ok) throw new Error(plan.error.message);
  s.patch("virtualservices.networking.istio.io", "default", "web", plan.patch, "json");
  await waitFor(() => JSON.stringify(world.mesh.objects().virtualServices[0]?.spec) === JSON.stringify(plan.vs.spec), { timeoutMs: 2000, what: "the mesh to route by the new VirtualService" });
  return plan.vs;
}

/** Request counters per `reporter/version` as Prometheus last scraped them. */
async function counters(world: World): Promise<Record<string, number>> {
  const rows = await world.query(COUNTERS);
  return Object.fromEntries(rows.map((r) => [`${r.metric["reporter"]}/${r.metric["destination_version"]}`, r.value]));
}

/** Counter increases over `scrapes` further scrapes, all generated under the current VirtualService. */
async function deltaOver(world: World, scrapes: number): Promise<Record<string, number>> {
  // One scrape boundary first, so no scrape of the previous step is inside the window.
  const first = await nextScrape(world);
  let last = first;
  for (let i = 0; i < scrapes; i++) last = await nextScrape(world);
  const keys = new Set([...Object.keys(first), ...Object.keys(last)]);
  return Object.fromEntries([...keys].map((k) => [k, (last[k] ?? 0) - (first[k] ?? 0)]));
}

async function nextScrape(world: World): Promise<Record<string, number>> {
  const before = JSON.stringify(await counters(world));
  return waitFor(async () => {
    const c = await counters(world);
    return JSON.stringify(c) !== before ? c : undefined;
  }, { timeoutMs: 10_000, intervalMs: 100, what: "a new Prometheus scrape" });
}

describe("sim-mesh: mirror and matched steps through a real Prometheus", () => {
  let world: World;
  const userAnswers: Record<string, number> = {};
  beforeAll(async () => {
    // v2 is the canary with a latency regression (p50 400 ms vs v1's ~25 ms); it starts at weight 0.
    world = await startWorld({ weights: [100, 0], perScrape: 0, annotations: { "2": { "sim.siskin.dev/latency-p50-ms": "400", "sim.siskin.dev/latency-p99-ms": "900" } } });
    // Users: 400 requests per scrape, a tenth of them testers carrying x-canary: always (the load's tagged share).
    world.mesh.startLoad({ service: "web", namespace: "default", rps: 1000, maxSeconds: 3600, tagged: { share: 0.1, headers: { "x-canary": "always" } } });
    world.mesh.onScrape(() => {
      world.mesh.tick(400);
    });
    await waitForSamples(world, "1", 3);
  });
  afterAll(async () => {
    await world?.close();
  });

  it("mirror 100 %: v2 receives a copy of every request (destination reporter only), users see only v1", async () => {
    const before = world.mesh.snapshot()["default/web"];
    const vs = await applyStep(world, { canaryWeight: 0, mirror: { percentage: 100 } });
    expect(vs.spec.http?.[0]).toMatchObject({ mirror: { host: "web", subset: "v2" }, mirrorPercentage: { value: 100 }, route: [{ weight: 100 }, { weight: 0 }] });
    const d = await deltaOver(world, 3);
    expect(d["destination/1"]).toBe(1200);
    expect(d["source/1"]).toBe(1200);
    expect(d["destination/2"]).toBe(1200); // the copies: as many as the users' requests
    expect(d["source/2"] ?? 0).toBe(0); // the client sidecar never reports a shadow copy
    const after = world.mesh.snapshot()["default/web"];
    userAnswers["1"] = (after?.byVersion["1"] ?? 0) - (before?.byVersion["1"] ?? 0);
    userAnswers["2"] = (after?.byVersion["2"] ?? 0) - (before?.byVersion["2"] ?? 0);
    expect(userAnswers["2"]).toBe(0);
    expect(userAnswers["1"]).toBeGreaterThanOrEqual(1200);
  });

  it("the analyzer's latency-p99 query sees the mirror's regression, on v2's own answers", async () => {
    const q = builtinQuery("latency-p99", istioLabels, 'destination_workload_namespace="default", destination_canonical_service="web"', 3);
    const p99 = await waitFor(async () => {
      const rows = await world.query(q);
      const by = Object.fromEntries(rows.map((r) => [r.metric["destination_version"], r.value]));
      return by["1"] !== undefined && by["2"] !== undefined && Number.isFinite(by["2"]) ? by : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200, what: "p99 of both versions" });
    expect(p99["2"]).toBeGreaterThan(3 * (p99["1"] ?? Infinity));
    const requests = await world.query(builtinQuery("requests", istioLabels, 'destination_workload_namespace="default", destination_canonical_service="web"', 3));
    const reqBy = Object.fromEntries(requests.map((r) => [r.metric["destination_version"], r.value]));
    // With 100 % mirrored, v2 was asked exactly what v1 was asked: a comparison on the same requests.
    expect(Math.abs((reqBy["2"] ?? 0) - (reqBy["1"] ?? 0))).toBeLessThanOrEqual(0.05 * (reqBy["1"] ?? 1));
  });

  it("matched step x-canary=always: only the testers' tenth reaches v2, and the mirror is gone", async () => {
    const vs = await applyStep(world, { canaryWeight: 0, match: [{ headers: { "x-canary": { exact: "always" } } }] });
    expect(vs.spec.http?.map((r) => r.name)).toEqual(["siskin-canary-primary", "primary"]);
    expect(vs.spec.http?.[1]?.mirror).toBeUndefined();
    const d = await deltaOver(world, 3);
    expect(d["source/2"]).toBe(120); // 10 % of 1200, exactly: the load spreads the tagged share evenly
    expect(d["destination/2"]).toBe(120); // no more shadow copies
    expect(d["source/1"]).toBe(1080);
  });

  it("the rollback removes Siskin's route: everything to v1 again", async () => {
    const vs = await applyStep(world, { canaryWeight: 0 });
    expect(vs.spec.http?.map((r) => r.name)).toEqual(["primary"]);
    const d = await deltaOver(world, 2);
    expect(d["source/2"] ?? 0).toBe(0);
    expect(d["destination/2"] ?? 0).toBe(0);
    expect(d["source/1"]).toBe(800);
  });
});
