import { describe, expect, it } from "vitest";
import { applyPatch } from "./json-patch.js";
import { validCases } from "./plan-cases.test-util.js";
import { planWeights, readWeights, verifyWeights, type RouteSelection } from "./plan.js";
import { PlanErrorCode } from "./plan-errors.js";
import { loadVs } from "./upstream-fixtures.test-util.js";
import type { RouteKind, VirtualService } from "./vs-types.js";

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A copy of `vs` without the `weight` fields of the managed routes: what must stay byte-for-byte the user's. */
function withoutManagedWeights(vs: VirtualService, managed: Array<[RouteKind, number]>): VirtualService {
  const copy = structuredClone(vs);
  for (const [kind, i] of managed) for (const d of copy.spec[kind]?.[i]?.route ?? []) delete d.weight;
  return copy;
}

function weightsOf(vs: VirtualService, kind: RouteKind, i: number): number[] {
  return (vs.spec[kind]?.[i]?.route ?? []).map((d) => d.weight ?? -1);
}

describe("planWeights on upstream VirtualServices", () => {
  it.each(validCases.flatMap((c) => [0, 10, 37, 100].map((w) => [c.title, w, c] as const)))("%s at canary %i", (_t, weight, c) => {
    const input = deepFreeze(c.vs());
    const res = planWeights({ ...c.selection, vs: input, canaryWeight: weight });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.routes.map((r) => [r.kind, r.index])).toEqual(c.managed);
    for (const r of res.routes) {
      expect([r.stableWeight, r.canaryWeight]).toEqual([100 - weight, weight]);
      const ws = weightsOf(res.vs, r.kind, r.index);
      expect(ws.reduce((a, b) => a + b, 0)).toBe(100);
      expect(ws).toContain(weight);
    }
    // Everything but the managed weights is the user's, deep-equal and in the same key order.
    const before = withoutManagedWeights(input, c.managed);
    const after = withoutManagedWeights(res.vs, c.managed);
    expect(after).toEqual(before);
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
    // The patch turns the input into the plan, and every write is guarded by a test op.
    const applied = applyPatch(input, res.patch);
    expect(applied).toEqual({ ok: true, doc: res.vs });
    res.patch.forEach((op, i) => {
      if (op.op === "replace" || op.op === "add") expect(res.patch[i - 1]?.op).toBe("test");
    });
    expect(res.changed).toBe(res.patch.length > 0);
    expect(readWeights(res.vs, c.selection)).toMatchObject({ ok: true, routes: res.routes });
  });

  it("bookinfo 80/20 asked for 20 is unchanged: empty patch", () => {
    const res = planWeights({ vs: loadVs("istio/bookinfo-vs-reviews-80-20.yaml"), split: { by: "subset", stableSubset: "v1", canarySubset: "v2" }, canaryWeight: 20 });
    expect(res).toMatchObject({ ok: true, changed: false, patch: [] });
  });

  it("emits test-then-replace ops on /spec/http/<i>/route/<j>/weight", () => {
    const res = planWeights({ vs: loadVs("argo-rollouts/vsvc-two-named-http-routes.yaml"), split: { by: "host", stableHost: "stable", canaryHost: "canary" }, httpRoutes: ["secondary"], canaryWeight: 10 });
    expect(res.ok && res.patch).toEqual([
      { op: "test", path: "/spec/http/1/route/0/destination", value: { host: "stable" } },
      { op: "test", path: "/spec/http/1/route/0/weight", value: 100 },
      { op: "replace", path: "/spec/http/1/route/0/weight", value: 90 },
      { op: "test", path: "/spec/http/1/route/1/destination", value: { host: "canary" } },
      { op: "test", path: "/spec/http/1/route/1/weight", value: 0 },
      { op: "replace", path: "/spec/http/1/route/1/weight", value: 10 },
    ]);
  });

  it("a concurrent edit makes the patch fail", () => {
    const vs = loadVs("argo-rollouts/vsvc-single-unnamed-route.yaml");
    const res = planWeights({ vs, split: { by: "host", stableHost: "stable", canaryHost: "canary" }, canaryWeight: 10 });
    if (!res.ok) throw new Error(res.error.message);
    const edited = structuredClone(vs);
    const entry = edited.spec.http?.[0]?.route?.[1];
    if (entry) entry.weight = 5;
    expect(applyPatch(edited, res.patch)).toMatchObject({ ok: false });
  });

  it("an absent weight is written with add, guarded by a test of the whole entry", () => {
    const vs = loadVs("argo-rollouts/vsvc-single-unnamed-route.yaml");
    delete vs.spec.http?.[0]?.route?.[1]?.weight; // implicit 0 beside another destination
    const split = { by: "host", stableHost: "stable", canaryHost: "canary" } as const;
    expect(readWeights(vs, { split })).toMatchObject({ ok: true, routes: [{ stableWeight: 100, canaryWeight: 0 }] });
    expect(planWeights({ vs, split, canaryWeight: 0 })).toMatchObject({ ok: true, changed: false });
    const res = planWeights({ vs, split, canaryWeight: 30 });
    expect(res.ok && res.patch.slice(-2)).toEqual([
      { op: "test", path: "/spec/http/0/route/1", value: { destination: { host: "canary" } } },
      { op: "add", path: "/spec/http/0/route/1/weight", value: 30 },
    ]);
  });
});

type ErrorCase = [title: string, vs: () => VirtualService, sel: RouteSelection, code: string, mentions: string[]];
const subsetV1V2: RouteSelection = { split: { by: "subset", stableSubset: "v1", canarySubset: "v2" } };
const hostSplit = { by: "host", stableHost: "stable", canaryHost: "canary" } as const;
const argo = (f: string, name?: string) => () => loadVs(`argo-rollouts/${f}.yaml`, name);
const istio = (f: string, name?: string) => () => loadVs(`istio/${f}.yaml`, name);

const errorCases: ErrorCase[] = [
  ["all-v1 reviews split by host: the canary host is not there", istio("bookinfo-vs-all-v1", "reviews"), { split: { by: "host", stableHost: "reviews", canaryHost: "reviews-canary" } }, PlanErrorCode.destinationMissing, ["VirtualService reviews", "spec.http[0]", "{host: reviews-canary}", "weight: 0"]],
  ["all-v1 productpage: the stable subset is not there", istio("bookinfo-vs-all-v1", "productpage"), { split: { by: "subset", stableSubset: "v0", canarySubset: "v1" } }, PlanErrorCode.destinationMissing, ["VirtualService productpage", "stable"]],
  ["jason v2/v3: two unnamed routes", istio("bookinfo-vs-reviews-jason-v2-v3"), { split: { by: "subset", stableSubset: "v3", canarySubset: "v2" } }, PlanErrorCode.ambiguousRoute, ["VirtualService reviews", "2 http routes", "--routes"]],
  ["virtual-service-all: two unnamed routes", istio("testdata-virtual-service-all"), subsetV1V2, PlanErrorCode.ambiguousRoute, ["testns/all", "name"]],
  ["fault injection: two unnamed routes", istio("bookinfo-fault-injection-details-v1"), subsetV1V2, PlanErrorCode.ambiguousRoute, ["VirtualService details"]],
  ["two named routes, none chosen", argo("vsvc-two-named-http-routes"), { split: hostSplit }, PlanErrorCode.ambiguousRoute, ["default/vsvc", '"primary"', '"secondary"']],
  ["unknown route name", argo("vsvc-two-named-http-routes"), { split: hostSplit, httpRoutes: ["tertiary"] }, PlanErrorCode.routeNotFound, ['"tertiary"', "default/vsvc", "primary"]],
  ["three destinations", argo("vsvc-three-destinations-invalid-for-rollouts"), { split: { by: "subset", stableSubset: "stable", canarySubset: "canary" } }, PlanErrorCode.unknownDestination, ["spec.http[0].route[2]", "example-service", "never deletes"]],
  ["subsets plus an additional destination", argo("vsvc-subsets-plus-additional-destination"), { split: { by: "subset", host: "rollout-service", stableSubset: "stable", canarySubset: "canary" } }, PlanErrorCode.unknownDestination, ["additional-service", "stable-subset"]],
  ["canary subset on two hosts, no host given", argo("vsvc-three-destinations-invalid-for-rollouts"), { split: { by: "subset", stableSubset: "canary", canarySubset: "stable" } }, PlanErrorCode.ambiguousRoute, ["rollout-service", "example-service", "--host"]],
  ["mirror route: primary has stable only", argo("vsvc-mirror-route"), { split: hostSplit, httpRoutes: ["primary"] }, PlanErrorCode.destinationMissing, ['http route "primary" (spec.http[1])', "{host: canary}"]],
  ["header route: canary only", argo("vsvc-header-managed-user-routes"), { split: hostSplit, httpRoutes: ["test-header-1"] }, PlanErrorCode.destinationMissing, ["stable destination {host: stable}", "weight: 100"]],
  ["tls SNI subset does not match", argo("vsvc-tls-sni"), { split: hostSplit, tlsRoutes: [{ sniHosts: ["localhost"] }] }, PlanErrorCode.routeNotFound, ["no tls route", "localhost"]],
  ["tcp route with two ports never matches", istio("analyzer-vs-dupmatches", "almost-duplicate-tcp-match"), { ...subsetV1V2, tcpRoutes: [{ port: 31401 }] }, PlanErrorCode.routeNotFound, ["port 31401"]],
  ["tcp routes split across two rules", istio("analyzer-vs-dupmatches", "duplicate-tcp-match"), { ...subsetV1V2, tcpRoutes: [{ port: 31400 }] }, PlanErrorCode.destinationMissing, ["spec.tcp[1]", "no stable destination", "subset: v1"]],
  ["tcp-only VS without a selector", istio("tcp-echo-vs-20-v2"), subsetV1V2, PlanErrorCode.routeNotFound, ["no http route", "--tcp-port"]],
  ["by host on a subset VS", istio("bookinfo-vs-reviews-80-20"), { split: { by: "host", stableHost: "reviews", canaryHost: "reviews-canary" } }, PlanErrorCode.duplicateDestination, ["2 times", "--by"]],
  ["null destination entry", istio("analyzer-vs-destinationhosts", "reviews-bogushost"), subsetV1V2, PlanErrorCode.invalidObject, ["spec.http[0].route[0]", "destination.host"]],
  ["stable equals canary", istio("bookinfo-vs-reviews-80-20"), { split: { by: "subset", stableSubset: "v1", canarySubset: "v1" } }, PlanErrorCode.invalidSplit, ["own subset"]],
  ["stable host equals canary host by short name", argo("vsvc-single-unnamed-route"), { split: { by: "host", stableHost: "stable", canaryHost: "stable.default.svc.cluster.local" } }, PlanErrorCode.invalidSplit, ["same service"]],
];

describe("a new version's subset (subsets are named after versions)", () => {
  const allV1 = () => loadVs("istio/bookinfo-vs-all-v1.yaml", "reviews");
  const sel = (stable: string, canary: string): RouteSelection => ({ split: { by: "subset", stableSubset: stable, canarySubset: canary } });

  it("is appended beside the stable destination once it gets traffic, guarded by a test of the whole list", () => {
    const input = deepFreeze(allV1());
    expect(planWeights({ ...sel("v1", "v2"), vs: input, canaryWeight: 0 })).toMatchObject({ ok: true, changed: false, patch: [] });
    const res = planWeights({ ...sel("v1", "v2"), vs: input, canaryWeight: 10 });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.vs.spec.http?.[0]?.route).toEqual([
      { destination: { host: "reviews", subset: "v1" }, weight: 90 },
      { destination: { host: "reviews", subset: "v2" }, weight: 10 },
    ]);
    expect(res.patch[0]).toEqual({ op: "test", path: "/spec/http/0/route", value: input.spec.http?.[0]?.route });
    expect(res.patch.at(-1)).toEqual({ op: "add", path: "/spec/http/0/route/-", value: { destination: { host: "reviews", subset: "v2" }, weight: 10 } });
    expect(applyPatch(input, res.patch)).toEqual({ ok: true, doc: res.vs });
    expect(res.routes).toEqual([{ kind: "http", index: 0, stableHost: "reviews", canaryHost: "reviews", stableWeight: 90, canaryWeight: 10 }]);
    expect(verifyWeights(res.vs, sel("v1", "v2"), 10).ok).toBe(true);
    expect(readWeights(input, sel("v1", "v2"))).toMatchObject({ ok: true, routes: [{ stableWeight: 100, canaryWeight: 0 }] });
  });

  it("a version left at weight 0 by an earlier release stays in place and takes no traffic", () => {
    const promoted = planWeights({ ...sel("v1", "v2"), vs: allV1(), canaryWeight: 100 });
    if (!promoted.ok) throw new Error(promoted.error.message);
    const next = planWeights({ ...sel("v2", "v3"), vs: promoted.vs, canaryWeight: 50 });
    if (!next.ok) throw new Error(next.error.message);
    expect(weightsOf(next.vs, "http", 0)).toEqual([0, 50, 50]);
    expect(next.vs.spec.http?.[0]?.route?.map((d) => d.destination.subset)).toEqual(["v1", "v2", "v3"]);
    const back = planWeights({ ...sel("v2", "v3"), vs: next.vs, canaryWeight: 0 });
    expect(back.ok && weightsOf(back.vs, "http", 0)).toEqual([0, 100, 0]);
  });

  it("a destination of neither version that still gets traffic is refused", () => {
    const res = planWeights({ ...sel("v1", "v3"), vs: loadVs("istio/bookinfo-vs-reviews-80-20.yaml"), canaryWeight: 10 });
    expect(res.ok ? null : res.error.code).toBe(PlanErrorCode.unknownDestination);
  });
});

describe("planWeights errors", () => {
  it.each(errorCases)("%s", (_t, vs, sel, code, mentions) => {
    const res = planWeights({ ...sel, vs: vs(), canaryWeight: 10 });
    if (res.ok) throw new Error("expected an error");
    expect(res.error.code).toBe(code);
    expect(res.error.retryable).toBe(false);
    expect(res.error.object).toMatch(/^VirtualService /);
    for (const m of mentions) expect(res.error.message).toContain(m);
  });

  it.each([101, -1, 10.5, Number.NaN])("canary weight %d is invalid", (w) => {
    const res = planWeights({ ...subsetV1V2, vs: loadVs("istio/bookinfo-vs-reviews-80-20.yaml"), canaryWeight: w });
    expect(res).toMatchObject({ ok: false, error: { code: PlanErrorCode.invalidWeight } });
  });

  it("a stored weight that is not an integer is an error", () => {
    const vs = loadVs("istio/bookinfo-vs-reviews-80-20.yaml");
    const e = vs.spec.http?.[0]?.route?.[0];
    if (e) (e as { weight: unknown }).weight = "80";
    expect(planWeights({ ...subsetV1V2, vs, canaryWeight: 10 })).toMatchObject({ ok: false, error: { code: PlanErrorCode.invalidWeight } });
  });

  it("error codes are unique SISKIN_ERR_* strings", () => {
    const codes = Object.values(PlanErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^SISKIN_ERR_[A-Z_]+$/);
  });
});

describe("readWeights / verifyWeights", () => {
  const sel: RouteSelection = { split: { by: "host", stableHost: "stable", canaryHost: "canary" }, httpRoutes: ["primary", "secondary"] };
  it("reads each managed route's weights", () => {
    const vs = loadVs("argo-rollouts/vsvc-two-named-http-routes.yaml");
    expect(readWeights(vs, sel)).toEqual({ ok: true, routes: [
      { kind: "http", index: 0, name: "primary", stableHost: "stable", canaryHost: "canary", stableWeight: 100, canaryWeight: 0 },
      { kind: "http", index: 1, name: "secondary", stableHost: "stable", canaryHost: "canary", stableWeight: 100, canaryWeight: 0 },
    ] });
  });

  it("verifies after a write and names the route that differs", () => {
    const vs = loadVs("argo-rollouts/vsvc-two-named-http-routes.yaml");
    const planned = planWeights({ ...sel, vs, canaryWeight: 50 });
    if (!planned.ok) throw new Error(planned.error.message);
    expect(verifyWeights(planned.vs, sel, 50)).toMatchObject({ ok: true });
    const drifted = structuredClone(planned.vs);
    const second = drifted.spec.http?.[1]?.route;
    if (second?.[0] && second[1]) [second[0].weight, second[1].weight] = [100, 0];
    const res = verifyWeights(drifted, sel, 50);
    expect(res).toMatchObject({ ok: false, error: { code: PlanErrorCode.weightMismatch, route: 'http route "secondary" (spec.http[1])' } });
    expect(!res.ok && res.error.message).toContain("stable 100 / canary 0, expected stable 50 / canary 50");
  });
});
