import { describe, expect, it } from "vitest";
import { builtinQuery, istioLabels } from "./builtin-queries.js";
import { stored } from "./fakes.test-util.js";
import { dueWindow, dueWindows, planQueries } from "./plan.js";

const I = 10_000;

describe("dueWindow", () => {
  it.each([
    ["before a full interval has passed since the start", { startedAt: 3_000 }, 12_999, null],
    ["the first window that starts after the analysis started", { startedAt: 3_000 }, 20_500, { windowStart: 10_000, windowEnd: 20_000 }],
    ["a window already judged", { startedAt: 0, lastWindowEnd: 20_000 }, 29_999, null],
    ["the next window", { startedAt: 0, lastWindowEnd: 20_000 }, 30_000, { windowStart: 20_000, windowEnd: 30_000 }],
    ["only the latest after missed windows", { startedAt: 0, lastWindowEnd: 10_000 }, 65_000, { windowStart: 50_000, windowEnd: 60_000 }],
  ])("%s", (_name, over, now, want) => {
    const w = dueWindow(stored("shop", "ratings", over), now);
    if (want === null) expect(w).toBeNull();
    else expect(w).toMatchObject(want);
  });

  it("aligns windows to the interval grid, so replicas agree on the window whatever their tick time", () => {
    const a = dueWindow(stored("shop", "ratings"), 40_001);
    const b = dueWindow(stored("shop", "ratings"), 49_999);
    expect(a?.windowEnd).toBe(40_000);
    expect(b?.windowEnd).toBe(40_000);
  });

  it("treats an interval below 1 s as 1 s", () => {
    expect(dueWindow(stored("shop", "ratings", { intervalSeconds: 0 }), 5_500)?.windowEnd).toBe(5_000);
  });
});

function many(n: number) {
  return Array.from({ length: n }, (_, i) => stored(`ns-${i % 7}`, `svc-${i}`));
}

describe("planQueries", () => {
  it("1 release and 200 releases cost the same number of queries", () => {
    const one = planQueries(dueWindows(many(1), 100 * I), istioLabels);
    const twoHundred = planQueries(dueWindows(many(200), 100 * I), istioLabels);
    expect(one.queries.length).toBe(3); // requests, error-rate, latency-p99
    expect(twoHundred.queries.length).toBe(one.queries.length);
    expect(twoHundred.releases).toHaveLength(200);
    expect(new Set(twoHundred.releases.map((r) => r.requestsKey)).size).toBe(1);
  });

  it("one query per metric per interval length", () => {
    const regs = [...many(5), ...many(5).map((s) => ({ ...s, registration: { ...s.registration, releaseId: `${s.registration.releaseId}x`, intervalSeconds: 30 } }))];
    const plan = planQueries(dueWindows(regs, 300_000), istioLabels);
    expect(plan.queries.map((q) => q.kind).sort()).toEqual(["error-rate", "error-rate", "latency-p99", "latency-p99", "requests", "requests"]);
    expect(new Set(plan.queries.map((q) => q.timeMs))).toEqual(new Set([300_000]));
  });

  it("groups by namespace, service and version and restricts to the releases' values", () => {
    const plan = planQueries(dueWindows([stored("shop", "reviews"), stored("shop", "ratings"), stored("books", "details.v1")], 100 * I), istioLabels);
    const q = plan.queries.find((p) => p.kind === "error-rate");
    expect(q?.promql).toBe(
      "(sum by (destination_workload_namespace, destination_canonical_service, destination_version) " +
        '(rate(istio_requests_total{reporter="destination", response_code=~"5..", destination_workload_namespace=~"books|shop", ' +
        'destination_canonical_service=~"details\\\\.v1|ratings|reviews", destination_version=~"v1|v2"}[10s])) or ' +
        "sum by (destination_workload_namespace, destination_canonical_service, destination_version) " +
        '(rate(istio_requests_total{reporter="destination", destination_workload_namespace=~"books|shop", ' +
        'destination_canonical_service=~"details\\\\.v1|ratings|reviews", destination_version=~"v1|v2"}[10s])) * 0) / ' +
        "sum by (destination_workload_namespace, destination_canonical_service, destination_version) " +
        '(rate(istio_requests_total{reporter="destination", destination_workload_namespace=~"books|shop", ' +
        'destination_canonical_service=~"details\\\\.v1|ratings|reviews", destination_version=~"v1|v2"}[10s])) * 100',
    );
    expect(plan.queries.find((p) => p.kind === "latency-p99")?.promql).toMatch(
      /^histogram_quantile\(0\.99, sum by \(destination_workload_namespace, destination_canonical_service, destination_version, le\) \(rate\(istio_request_duration_milliseconds_bucket\{reporter="destination", .*\}\[10s\]\)\)\)$/,
    );
  });

  it("the query text does not depend on registration order", () => {
    const a = planQueries(dueWindows([stored("a", "x"), stored("b", "y")], 100 * I), istioLabels);
    const b = planQueries(dueWindows([stored("b", "y"), stored("a", "x")], 100 * I), istioLabels);
    expect(a.queries.map((q) => q.promql)).toEqual(b.queries.map((q) => q.promql));
  });

  it("uses configured label names", () => {
    const labels = { namespace: "ns", service: "app", version: "rev" };
    const plan = planQueries(dueWindows([stored("shop", "ratings")], 100 * I), labels);
    expect(plan.queries[0]?.promql).toContain("sum by (ns, app, rev)");
    expect(plan.queries[0]?.promql).toContain('rev=~"v1|v2"');
  });

  it("plans the 5xx count only for an error-rate with a statistical test", () => {
    const reg = stored("shop", "ratings", {
      metrics: [{ name: "error-rate", builtin: "error-rate", statistical: { alpha: 0.05 } }],
    });
    const plan = planQueries(dueWindows([reg], 100 * I), istioLabels);
    expect(plan.queries.map((q) => q.kind).sort()).toEqual(["error-rate", "errors", "requests"]);
    const src = plan.releases[0]?.metrics[0];
    expect(src?.kind === "query" && src.errorsKey).toBeTruthy();
  });

  it("builds every built-in metric", () => {
    expect(builtinQuery("latency-p95", istioLabels, "", 60)).toContain("histogram_quantile(0.95,");
    expect(builtinQuery("request-rate", istioLabels, "", 60)).toBe(
      'sum by (destination_workload_namespace, destination_canonical_service, destination_version) (rate(istio_requests_total{reporter="destination"}[60s]))',
    );
    expect(builtinQuery("requests", istioLabels, "", 60)).toContain("increase(istio_requests_total");
  });

  describe("custom templates", () => {
    const custom = (namespace: string, service: string, query: string) =>
      stored(namespace, service, { metrics: [{ name: "custom", query }] });

    it("a template with only {{interval}} runs once for all releases", () => {
      const q = 'sum by (destination_workload_namespace, destination_canonical_service, destination_version) (rate(my_errors_total[{{interval}}]))';
      const plan = planQueries(dueWindows([custom("a", "x", q), custom("b", "y", q), custom("c", "z", q)], 100 * I), istioLabels);
      expect(plan.queries.filter((p) => p.kind === "custom")).toHaveLength(1);
      expect(plan.queries.find((p) => p.kind === "custom")?.promql).toContain("[10s]");
    });

    it("a template with {{service}} costs one query per distinct service", () => {
      const q = 'sum by (destination_version) (rate(my_errors_total{service="{{service}}"}[{{interval}}]))';
      const regs = [custom("a", "x", q), custom("b", "x", q), custom("c", "y", q)];
      const plan = planQueries(dueWindows(regs, 100 * I), istioLabels);
      expect(plan.queries.filter((p) => p.kind === "custom").map((p) => p.promql).sort()).toEqual([
        'sum by (destination_version) (rate(my_errors_total{service="x"}[10s]))',
        'sum by (destination_version) (rate(my_errors_total{service="y"}[10s]))',
      ]);
      const src = plan.releases[0]?.metrics[0];
      expect(src?.kind === "query" && src.specific).toEqual({ namespace: false, service: true });
    });

    it.each([
      ["both builtin and query", { name: "m", builtin: "error-rate" as const, query: "x" }, /sets both builtin and query/],
      ["neither builtin nor query", { name: "m" }, /neither builtin nor query/],
      ["an unsafe template", { name: "m", query: "x{a={{namespace}}}" }, /must be inside a quoted label value/],
    ])("marks a metric with %s invalid and runs nothing for it", (_n, spec, why) => {
      const plan = planQueries(dueWindows([stored("a", "x", { metrics: [spec] })], 100 * I), istioLabels);
      expect(plan.queries.map((q) => q.kind)).toEqual(["requests"]);
      const src = plan.releases[0]?.metrics[0];
      expect(src?.kind).toBe("invalid");
      if (src?.kind === "invalid") expect(src.reason).toMatch(why);
    });
  });
});

describe("built-in queries and mirrored traffic (docs/decisions/mirror-and-matched-steps.md)", () => {
  // Istio reports a mirrored copy only on the mirror's server side: a reporter="source" built-in would
  // read "no data" for a mirrored canary, and one without a reporter would count user requests twice.
  it.each(["error-rate", "latency-p99", "latency-p95", "request-rate", "requests", "errors"] as const)("%s selects reporter=\"destination\" only", (kind) => {
    const q = builtinQuery(kind, istioLabels, "", 60);
    const selectors = [...q.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? "");
    expect(selectors.length).toBeGreaterThan(0);
    for (const s of selectors) expect(s).toContain('reporter="destination"');
    expect(q).not.toContain('reporter="source"');
  });
});
