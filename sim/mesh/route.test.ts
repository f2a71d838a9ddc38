import { describe, expect, it } from "vitest";
import { createRng } from "./prng.js";
import { expandHost, parseDurationMs, route, type MeshRequest, type RoutingTable } from "./route.js";
import { istioObjects, objects, service, vmi } from "./helpers.test-util.js";
import type { MeshObjects, VirtualService } from "./types.js";
import { buildView } from "./workloads.js";

function table(o: MeshObjects): RoutingTable {
  return { view: buildView(o), virtualServices: o.virtualServices, destinationRules: o.destinationRules };
}

/** Routes `n` copies of a request; tallies "<version>" for upstream answers and "<code> <flag>" for local replies. */
function tally(t: RoutingTable, req: MeshRequest, n: number, seed = 7): Record<string, number> {
  const rng = createRng(seed);
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = route(t, req, () => rng.next());
    const key = r.kind === "upstream" ? (r.endpoint.labels["version"] ?? "?") : `${r.code} ${r.flag}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

const reviewsVmis = (versions: string[], notReady: string[] = []) =>
  versions.map((v) => vmi(`reviews-${v}`, { labels: { app: "reviews", version: v }, ready: !notReady.includes(v) }));
const reviewsSvc = service("reviews", { app: "reviews" });

/** The analyzer fixtures omit `hosts` (invalid for routing); give each VirtualService the host it routes to. */
function withHost(vss: VirtualService[], host: string): VirtualService[] {
  return vss.map((vs) => ({ ...vs, spec: { ...vs.spec, hosts: [host] } }));
}

describe("route: bookinfo fixtures (weights, subsets, header matches)", () => {
  const dr = istioObjects("istio/bookinfo-dr-all.yaml").destinationRules;

  it.each([
    ["istio/bookinfo-vs-reviews-90-10.yaml", { v1: 0.9, v2: 0.1 }],
    ["istio/bookinfo-vs-reviews-80-20.yaml", { v1: 0.8, v2: 0.2 }],
    ["istio/bookinfo-vs-reviews-50-v3.yaml", { v1: 0.5, v3: 0.5 }],
    ["istio/bookinfo-vs-all-v1.yaml", { v1: 1 }],
  ])("%s splits by weight/sum", (file, shares) => {
    const t = table(objects({ ...istioObjects(file), destinationRules: dr, services: [reviewsSvc], vmis: reviewsVmis(["v1", "v2", "v3"]) }));
    const n = 20_000;
    const got = tally(t, { host: "reviews" }, n);
    for (const [v, share] of Object.entries(shares)) expect(Math.abs((got[v] ?? 0) / n - share)).toBeLessThan(0.01);
    expect(Object.keys(got).sort()).toEqual(Object.keys(shares).sort());
  });

  it.each([
    [{ "end-user": "jason" }, "v2"],
    [{ "End-User": "jason" }, "v2"], // header names are case-insensitive
    [{ "end-user": "Jason" }, "v3"], // exact values are not
    [{}, "v3"],
  ])("jason-v2-v3: headers %j go to %s (first match wins)", (headers, version) => {
    const t = table(objects({ ...istioObjects("istio/bookinfo-vs-reviews-jason-v2-v3.yaml"), destinationRules: dr, services: [reviewsSvc], vmis: reviewsVmis(["v1", "v2", "v3"]) }));
    expect(tally(t, { host: "reviews", headers }, 50)).toEqual({ [version]: 50 });
  });

  it("a subset without Ready VMIs gets 503 UH, the rest keeps its share", () => {
    const t = table(objects({ ...istioObjects("istio/bookinfo-vs-reviews-50-v3.yaml"), destinationRules: dr, services: [reviewsSvc], vmis: reviewsVmis(["v1", "v3"], ["v3"]) }));
    const got = tally(t, { host: "reviews" }, 10_000);
    expect(Object.keys(got).sort()).toEqual(["503 UH", "v1"]);
    expect(Math.abs((got["v1"] ?? 0) / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  it("a VM that is Running but not Ready, or not Running, is no endpoint", () => {
    const vmis = [
      vmi("reviews-v1-a", { labels: { app: "reviews", version: "v1" }, ready: false }),
      vmi("reviews-v1-b", { labels: { app: "reviews", version: "v1" }, phase: "Scheduled" }),
    ];
    const t = table(objects({ ...istioObjects("istio/bookinfo-vs-all-v1.yaml"), destinationRules: dr, services: [reviewsSvc], vmis }));
    expect(tally(t, { host: "reviews" }, 10)).toEqual({ "503 UH": 10 });
  });

  it("fault injection abort (details v1, 555 for 100 %) answers with flag FI", () => {
    const o = istioObjects("istio/bookinfo-fault-injection-details-v1.yaml");
    const t = table(objects({ ...o, services: [service("details", { app: "details" })], vmis: [vmi("details-v1", { labels: { app: "details", version: "v1" } })] }));
    expect(tally(t, { host: "details" }, 20)).toEqual({ "555 FI": 20 });
  });

  it("a missing DestinationRule subset is 503 NR (analyzer fixture reviews-bogussubset)", () => {
    const o = istioObjects("istio/analyzer-vs-destinationrules-mirror.yaml");
    const vs = withHost(o.virtualServices.filter((v) => v.metadata.name === "reviews-bogussubset"), "reviews");
    const t = table(objects({ virtualServices: vs, destinationRules: o.destinationRules, services: [reviewsSvc], vmis: reviewsVmis(["v1"]) }));
    expect(tally(t, { host: "reviews" }, 10)).toEqual({ "503 NR": 10 });
    const ok = withHost(o.virtualServices.filter((v) => v.metadata.name === "reviews-fqdn"), "reviews");
    expect(tally(table(objects({ virtualServices: ok, destinationRules: o.destinationRules, services: [reviewsSvc], vmis: reviewsVmis(["v1"]) })), { host: "reviews" }, 10)).toEqual({ v1: 10 });
  });
});

describe("route: matches, hosts, delegates", () => {
  const all = istioObjects("istio/testdata-virtual-service-all.yaml");
  const svc3 = service("service3", { app: "s3" });
  const s3 = [vmi("s3-v1", { labels: { app: "s3", version: "v1" } }), vmi("s3-v2", { labels: { app: "s3", version: "v2" } })];
  const dr3 = { metadata: { name: "s3", namespace: "default" }, spec: { host: "service3", subsets: [{ name: "v1", labels: { version: "v1" } }, { name: "v2", labels: { version: "v2" } }] } };
  const t = table(objects({ ...all, destinationRules: [dr3], services: [svc3], vmis: s3 }));

  it.each([
    ["cookie regex matches the whole value", { host: "uk.bookinfo.com", headers: { cookie: "a=b;user=dev-123" } }, ["v1", "v2"]],
    ["regex is anchored: a space breaks (.*?;)?", { host: "uk.bookinfo.com", path: "/x", headers: { cookie: "a=b; user=dev-123" } }, ["404 NR"]],
    ["uri prefix /reviews/ → 80/20 subsets", { host: "eu.bookinfo.com", path: "/reviews/1" }, ["v1", "v2"]],
    ["no route matches → 404 NR", { host: "eu.bookinfo.com", path: "/ratings" }, ["404 NR"]],
    ["the service FQDN host uses the same VirtualService", { host: "service3.default.svc.cluster.local", path: "/reviews/" }, ["v1", "v2"]],
    ["short name from the service's namespace", { host: "service3", sourceNamespace: "default", path: "/reviews/" }, ["v1", "v2"]],
  ] as Array<[string, MeshRequest, string[]]>)("%s", (_name, req, keys) => {
    expect(Object.keys(tally(t, req, 2000)).sort()).toEqual(keys);
  });

  it("uri prefix route keeps 80/20", () => {
    const got = tally(t, { host: "eu.bookinfo.com", path: "/reviews/abc" }, 20_000);
    expect(Math.abs((got["v1"] ?? 0) / 20_000 - 0.8)).toBeLessThan(0.01);
  });

  it("first match wins among duplicate matches (analyzer dupmatches)", () => {
    const o = istioObjects("istio/analyzer-vs-dupmatches.yaml");
    const vs = o.virtualServices.filter((v) => v.metadata.name === "duplicate-match");
    const services = [service("sample", { app: "sample" }, "foo"), service("sample", { app: "sample" }, "bar")];
    const vmis = [vmi("sample-foo", { namespace: "foo", labels: { app: "sample", version: "foo" } }), vmi("sample-bar", { namespace: "bar", labels: { app: "sample", version: "v1" } })];
    const tt = table(objects({ virtualServices: vs, services, vmis }));
    expect(tally(tt, { host: "sample.baz.svc.cluster.local", path: "/api/v1/products/7" }, 20)).toEqual({ foo: 20 });
  });

  it("a destination host that is no service (ServiceEntry) is 503 NC", () => {
    const tt = table(objects({ ...istioObjects("istio/testdata-rule-weighted-route.yaml") }));
    expect(tally(tt, { host: "c-weighted.extsvc.com" }, 10)).toEqual({ "503 NC": 10 });
  });

  it("flagger delegate: root match + delegate route, weight 0 gets nothing", () => {
    const o = istioObjects("flagger/faq-root-vs-frontend-delegate.yaml", "flagger/faq-generated-delegate-vs-backend.yaml");
    const services = [service("frontend", { app: "frontend" }, "test"), service("podinfo-primary", { app: "podinfo-primary" }, "test"), service("podinfo-canary", { app: "podinfo-canary" }, "test")];
    const vmis = [
      vmi("podinfo-primary-1", { namespace: "test", labels: { app: "podinfo-primary", version: "primary" } }),
      vmi("podinfo-canary-1", { namespace: "test", labels: { app: "podinfo-canary", version: "canary" } }),
    ];
    const tt = table(objects({ ...o, services, vmis }));
    expect(tally(tt, { host: "frontend", sourceNamespace: "test", path: "/podinfo/x" }, 1000)).toEqual({ primary: 1000 });
    expect(tally(tt, { host: "frontend.example.com", path: "/podinfo" }, 10)).toEqual({ primary: 10 });
    expect(tally(tt, { host: "frontend", sourceNamespace: "test", path: "/other" }, 10)).toEqual({ "404 NR": 10 });
  });

  it("without a VirtualService a known service spreads over all Ready endpoints; an unknown host is 404 NR", () => {
    const tt = table(objects({ services: [reviewsSvc], vmis: reviewsVmis(["v1", "v2"]) }));
    expect(Object.keys(tally(tt, { host: "reviews.default" }, 200)).sort()).toEqual(["v1", "v2"]);
    expect(tally(tt, { host: "reviews", sourceNamespace: "other" }, 5)).toEqual({ "404 NR": 5 });
    expect(tally(tt, { host: "nowhere.example" }, 5)).toEqual({ "404 NR": 5 });
  });

  it("a VirtualService bound only to a gateway does not apply to sidecars", () => {
    const o = istioObjects("istio/bookinfo-vs-reviews-90-10.yaml");
    const gwOnly = o.virtualServices.map((vs) => ({ ...vs, spec: { ...vs.spec, gateways: ["bookinfo-gateway"] } }));
    const tt = table(objects({ virtualServices: gwOnly, services: [reviewsSvc], vmis: reviewsVmis(["v1", "v2"]) }));
    expect(Object.keys(tally(tt, { host: "reviews" }, 200)).sort()).toEqual(["v1", "v2"]);
  });

  it("all weights 0 is 503 NR", () => {
    const o = istioObjects("istio/bookinfo-vs-reviews-90-10.yaml", "istio/bookinfo-dr-all.yaml");
    const zero = o.virtualServices.map((vs) => ({ ...vs, spec: { ...vs.spec, http: [{ route: [{ destination: { host: "reviews", subset: "v1" }, weight: 0 }, { destination: { host: "reviews", subset: "v2" }, weight: 0 }] }] } }));
    const tt = table(objects({ virtualServices: zero, destinationRules: o.destinationRules, services: [reviewsSvc], vmis: reviewsVmis(["v1", "v2"]) }));
    expect(tally(tt, { host: "reviews" }, 5)).toEqual({ "503 NR": 5 });
  });

  it("is deterministic for one seed", () => {
    const o = istioObjects("istio/bookinfo-vs-reviews-90-10.yaml", "istio/bookinfo-dr-all.yaml");
    const tt = table(objects({ ...o, services: [reviewsSvc], vmis: reviewsVmis(["v1", "v2"]) }));
    expect(tally(tt, { host: "reviews" }, 1000, 42)).toEqual(tally(tt, { host: "reviews" }, 1000, 42));
  });
});

describe("route helpers", () => {
  it.each([
    ["reviews", "default", "reviews.default.svc.cluster.local"],
    ["reviews.default.svc.cluster.local", "x", "reviews.default.svc.cluster.local"],
    ["uk.bookinfo.com", "x", "uk.bookinfo.com"],
    ["*", "x", "*"],
  ])("expandHost(%s, %s) = %s", (h, ns, want) => expect(expandHost(h, ns)).toBe(want));

  it.each([["5s", 5000], ["1.5s", 1500], ["200ms", 200], ["2m", 120000], ["x", undefined]])("parseDurationMs(%s)", (d, ms) => {
    expect(parseDurationMs(d)).toBe(ms);
  });
});
