// Flagger's built-in Istio checks (request-success-rate, request-duration), taken verbatim from the upstream
// fixture and rendered for a simulated VMI, return finite values through a real Prometheus that match the
// VM's scripted error rate and latency.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotation } from "../../sim/mesh/index.js";
import { IstioBuckets } from "../../sim/mesh/telemetry.js";
import { startWorld, waitForSamples, type World } from "./sim-mesh-world.test-util.js";

const fixture = readFileSync(fileURLToPath(new URL("../fixtures/upstream/flagger/expected-istio-promql.txt", import.meta.url)), "utf8");
const [successRate, duration] = fixture.split("\n").filter((l) => l.startsWith(" ")) as [string, string];

/** Flagger's templates were rendered with namespace=default, target=podinfo, interval=1m; re-render them. */
function render(q: string, target: string, interval: string): string {
  return q.replaceAll('destination_workload=~"podinfo"', `destination_workload=~"${target}"`).replaceAll("[1m]", `[${interval}]`);
}

// Version 2: 10 % 5xx, p50 60 ms / p99 240 ms. Version 1: no errors, the "fast" profile (p99 20 ms).
const scripted = { errorRate: 0.1, p99: 240 };

describe("Flagger's Istio checks against the simulated mesh", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      weights: [50, 50],
      perScrape: 600,
      // Version 1 is clearly faster: the default profile's p99 (140 ms) shares the (100, 250] bucket with 240 ms.
      annotations: { "1": { [Annotation.latencyProfile]: "fast" }, "2": { [Annotation.errorRate]: String(scripted.errorRate), [Annotation.latencyP50]: "60", [Annotation.latencyP99]: String(scripted.p99) } },
    });
    await waitForSamples(world, "2", 12);
  });
  afterAll(async () => {
    await world?.close();
  });

  it("the fixture holds both queries, as Flagger sends them", () => {
    expect(successRate).toContain('response_code!~"5.*"');
    expect(duration).toContain("histogram_quantile( 0.99");
  });

  it("request-success-rate is 100 - 10 % errors (±2.5 points) for the faulty VMI and 100 for the healthy one", async () => {
    const [canary] = await world.query(render(successRate, "web-v2", "10s"));
    expect(Number.isFinite(canary?.value)).toBe(true);
    // ~3000 canary requests in the window: sd of the error share ≈ 0.55 points.
    expect(Math.abs((canary?.value ?? 0) - 100 * (1 - scripted.errorRate))).toBeLessThanOrEqual(2.5);
    const [stable] = await world.query(render(successRate, "web-v1", "10s"));
    expect(stable?.value).toBe(100);
  });

  it("request-duration (p99, ms) lands in the Istio bucket of the scripted p99 and within 10 % of it", async () => {
    const [canary] = await world.query(render(duration, "web-v2", "10s"));
    const p99 = canary?.value ?? NaN;
    expect(Number.isFinite(p99)).toBe(true);
    // histogram_quantile interpolates inside the bucket (100, 250]: the resolution of Istio's buckets.
    const upper = IstioBuckets.find((b) => b >= scripted.p99) ?? Infinity;
    const lower = [...IstioBuckets].reverse().find((b) => b < scripted.p99) ?? 0;
    expect(p99).toBeGreaterThan(lower);
    expect(p99).toBeLessThanOrEqual(upper);
    expect(Math.abs(p99 / scripted.p99 - 1)).toBeLessThanOrEqual(0.1);
    // The healthy version ("fast" profile, p99 20 ms) is faster.
    const [stable] = await world.query(render(duration, "web-v1", "10s"));
    expect(stable?.value).toBeLessThan(p99);
  });
});
