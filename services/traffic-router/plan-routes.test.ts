import { describe, expect, it } from "vitest";
import type { RouteMatch } from "../../schemas/rollout.js";
import { applyPatch } from "./json-patch.js";
import { planTraffic, verifyTraffic, type PlanTrafficInput } from "./plan.js";
import { PlanErrorCode } from "./plan-errors.js";
import { cookieHeaderMatch } from "./plan-routes.js";
import { loadVs } from "./upstream-fixtures.test-util.js";
import type { VirtualService } from "./vs-types.js";

const hostSplit = { by: "host", stableHost: "stable", canaryHost: "canary" } as const;
const reviewsSplit = { by: "subset", stableSubset: "v1", canarySubset: "v2" } as const;
const xCanary: RouteMatch[] = [{ headers: { "x-canary": { exact: "always" } } }];

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Plans, checks the patch reproduces the plan, that planning again changes nothing, and that the read-back passes. */
function plan(input: PlanTrafficInput) {
  const vs = deepFreeze(structuredClone(input.vs));
  const res = planTraffic({ ...input, vs });
  if (!res.ok) throw new Error(res.error.message);
  expect(applyPatch(vs, res.patch)).toEqual({ ok: true, doc: res.vs });
  res.patch.forEach((op, i) => {
    if (op.op === "replace" || op.op === "remove") expect(res.patch[i - 1]?.op).toBe("test");
  });
  const again = planTraffic({ ...input, vs: res.vs });
  expect(again).toMatchObject({ ok: true, changed: false, patch: [] });
  const { vs: _vs, ...rest } = input;
  expect(verifyTraffic(res.vs, rest)).toMatchObject({ ok: true });
  return res;
}

const names = (vs: VirtualService) => (vs.spec.http ?? []).map((r) => r.name ?? "(unnamed)");

describe("planTraffic: mirror steps", () => {
  it("bookinfo reviews (all-v1): mirror 100 % to subset v2, no user weight, nothing else changes", () => {
    const vs = loadVs("istio/bookinfo-vs-all-v1.yaml", "reviews");
    const res = plan({ vs, split: reviewsSplit, canaryWeight: 0, mirror: { percentage: 100 } });
    const route = res.vs.spec.http?.[0];
    expect(route?.mirror).toEqual({ host: "reviews", subset: "v2" });
    expect(route?.mirrorPercentage).toEqual({ value: 100 });
    expect(route?.route).toEqual(vs.spec.http?.[0]?.route); // canary weight 0: v2 not even listed
    const { mirror: _m, mirrorPercentage: _p, ...userPart } = route ?? {};
    expect(userPart).toEqual(vs.spec.http?.[0]);
    expect(res.mirror).toEqual({ percentage: 100 });
    expect(res.patch.map((o) => o.op)).toEqual(["test", "add", "add"]);
  });

  it("bookinfo reviews 80/20: a mirror step sets v2's weight to 0 and mirrors 50 % to it", () => {
    const res = plan({ vs: loadVs("istio/bookinfo-vs-reviews-80-20.yaml"), split: reviewsSplit, canaryWeight: 0, mirror: { percentage: 50 } });
    expect(res.vs.spec.http?.[0]?.route?.map((d) => [d.destination.subset, d.weight])).toEqual([["v1", 100], ["v2", 0]]);
    expect(res.vs.spec.http?.[0]?.mirrorPercentage).toEqual({ value: 50 });
  });

  it("argo mirror-route: test-mirror-1 already mirrors to the canary host: only mirrorPercentage is added", () => {
    const vs = loadVs("argo-rollouts/vsvc-mirror-route.yaml");
    vs.spec.http?.[0]?.route?.push({ destination: { host: "canary" }, weight: 0 });
    const res = plan({ vs, split: hostSplit, httpRoutes: ["test-mirror-1"], canaryWeight: 0, mirror: { percentage: 100 } });
    expect(res.patch.filter((o) => o.op !== "test")).toEqual([{ op: "add", path: "/spec/http/0/mirrorPercentage", value: { value: 100 } }]);
    expect(res.vs.spec.http?.[1]).toEqual(vs.spec.http?.[1]);
  });

  it("changes the percentage of its own mirror in place", () => {
    const first = plan({ vs: loadVs("istio/bookinfo-vs-all-v1.yaml", "reviews"), split: reviewsSplit, canaryWeight: 0, mirror: { percentage: 10 } });
    const res = plan({ vs: first.vs, split: reviewsSplit, canaryWeight: 0, mirror: { percentage: 100 } });
    expect(res.patch).toEqual([
      { op: "test", path: "/spec/http/0/mirror", value: { host: "reviews", subset: "v2" } },
      { op: "test", path: "/spec/http/0/mirrorPercentage", value: { value: 10 } },
      { op: "replace", path: "/spec/http/0/mirrorPercentage", value: { value: 100 } },
    ]);
  });

  it.each([
    ["istio analyzer reviews-mirror: mirrors to subset v1", () => loadVs("istio/analyzer-vs-destinationrules-mirror.yaml", "reviews-mirror"), reviewsSplit, undefined, 'already has a mirror to {"host":"reviews","subset":"v1"}'],
    ["argo mirror-route: test-mirror-1 mirrors to host canary, the canary is canary-2", () => {
      const vs = loadVs("argo-rollouts/vsvc-mirror-route.yaml");
      vs.spec.http?.[0]?.route?.push({ destination: { host: "canary-2" }, weight: 0 });
      return vs;
    }, { by: "host", stableHost: "stable", canaryHost: "canary-2" } as const, ["test-mirror-1"], 'http route "test-mirror-1" (spec.http[0]) of VirtualService default/vsvc already has a mirror to {"host":"canary"}'],
  ])("%s: a mirror step is SISKIN_ERR_MIRROR_CONFLICT", (_t, vs, split, httpRoutes, message) => {
    const res = planTraffic({ vs: vs(), split, ...(httpRoutes === undefined ? {} : { httpRoutes }), canaryWeight: 0, mirror: { percentage: 100 } });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe(PlanErrorCode.mirrorConflict);
    expect(res.error.message).toContain(message);
    expect(res.error.message).toContain("does not overwrite a mirror it did not set");
  });

  it("a user's mirror elsewhere is kept by weight steps (only Siskin's own mirror is removed)", () => {
    const vs = loadVs("istio/analyzer-vs-destinationrules-mirror.yaml", "reviews-mirror");
    const res = plan({ vs, split: reviewsSplit, canaryWeight: 10 });
    expect(res.vs.spec.http?.[0]?.mirror).toEqual({ host: "reviews", subset: "v1" });
  });
});

describe("planTraffic: matched steps", () => {
  it("argo header-route VS: a route siskin-canary-primary is inserted right ahead of primary; user routes untouched", () => {
    const vs = loadVs("argo-rollouts/vsvc-header-managed-user-routes.yaml");
    const res = plan({ vs, split: hostSplit, httpRoutes: ["primary"], canaryWeight: 0, match: xCanary });
    expect(names(res.vs)).toEqual(["test-header-1", "test-header-2", "managed-route-1", "siskin-canary-primary", "primary", "user-defined-route"]);
    expect(res.vs.spec.http?.[3]).toEqual({ name: "siskin-canary-primary", match: [{ headers: { "x-canary": { exact: "always" } } }], route: [{ destination: { host: "canary" }, weight: 100 }] });
    expect(res.vs.spec.http?.[4]?.route?.map((d) => d.weight)).toEqual([100, 0]);
    for (const i of [0, 1, 2]) expect(res.vs.spec.http?.[i]).toEqual(vs.spec.http?.[i]);
    expect(res.vs.spec.http?.[5]).toEqual(vs.spec.http?.[4]);
    expect(res.matchedRoutes).toEqual(["siskin-canary-primary"]);
  });

  it("bookinfo reviews (one unnamed route): the route is `siskin-canary`, and the VS still selects its one user route", () => {
    const vs = loadVs("istio/bookinfo-vs-all-v1.yaml", "reviews");
    const res = plan({ vs, split: reviewsSplit, canaryWeight: 0, match: [...xCanary, { cookie: { name: "beta", value: "true" } }] });
    expect(names(res.vs)).toEqual(["siskin-canary", "(unnamed)"]);
    expect(res.vs.spec.http?.[0]?.match).toEqual([{ headers: { "x-canary": { exact: "always" } } }, { headers: { cookie: cookieHeaderMatch("beta", "true") } }]);
    expect(res.vs.spec.http?.[0]?.route).toEqual([{ destination: { host: "reviews", subset: "v2" }, weight: 100 }]);
  });

  it("ANDs the managed route's own match and keeps its other fields (retries, CORS, ports)", () => {
    const vs = loadVs("argo-rollouts/vsvc-retries-cors-ports.yaml");
    const res = plan({ vs, split: hostSplit, httpRoutes: ["primary"], canaryWeight: 0, match: xCanary });
    const at = names(res.vs).indexOf("siskin-canary-primary");
    const inserted = res.vs.spec.http?.[at];
    const primary = vs.spec.http?.find((r) => r.name === "primary");
    const { name: _n, match: _m, route: _r, ...others } = primary ?? {};
    expect(inserted).toMatchObject(others);
    const own = primary?.match ?? [{}];
    expect(inserted?.match).toEqual(own.map((m) => ({ ...m, headers: { ...((m.headers as object) ?? {}), "x-canary": { exact: "always" } } })));
  });

  it("bookinfo jason route: a step on the route's own header is SISKIN_ERR_MATCH_CONFLICT, another header is ANDed", () => {
    const vs = loadVs("istio/bookinfo-vs-reviews-jason-v2-v3.yaml");
    const jason = vs.spec.http?.[0];
    if (jason) jason.name = "jason";
    const split = { by: "subset", stableSubset: "v2", canarySubset: "v4" } as const;
    const clash = planTraffic({ vs, split, httpRoutes: ["jason"], canaryWeight: 0, match: [{ headers: { "end-user": { exact: "tester" } } }] });
    expect(clash).toMatchObject({ ok: false, error: { code: PlanErrorCode.matchConflict } });
    const res = plan({ vs, split, httpRoutes: ["jason"], canaryWeight: 0, match: xCanary });
    expect(res.vs.spec.http?.[0]?.match).toEqual([{ headers: { "end-user": { exact: "jason" }, "x-canary": { exact: "always" } } }]);
  });

  it("the cookie regex matches the cookie anywhere in the header, and nothing else", () => {
    const re = new RegExp(`^(?:${cookieHeaderMatch("beta", "true").regex ?? ""})$`);
    for (const ok of ["beta=true", "a=1; beta=true", "a=1;beta=true; b=2"]) expect(re.test(ok)).toBe(true);
    for (const no of ["beta=false", "xbeta=true", "beta=truex", "a=beta=true"]) expect(re.test(no)).toBe(false);
  });
});

describe("planTraffic: a release's whole route history", () => {
  it("mirror 100 → match → 10 → 50 → rollback: the VirtualService ends as the user's with weight 0", () => {
    const start = loadVs("argo-rollouts/vsvc-header-managed-user-routes.yaml");
    const sel = { split: hostSplit, httpRoutes: ["primary"] };
    const steps: Array<Omit<PlanTrafficInput, "vs" | "split">> = [
      { canaryWeight: 0, mirror: { percentage: 100 } },
      { canaryWeight: 0, match: xCanary },
      { canaryWeight: 10 },
      { canaryWeight: 50 },
      { canaryWeight: 0 },
    ];
    let vs = start;
    const seen: string[][] = [];
    for (const s of steps) {
      vs = plan({ ...sel, ...s, vs }).vs;
      seen.push(names(vs));
      const primary = vs.spec.http?.find((r) => r.name === "primary");
      expect(primary?.mirror !== undefined).toBe(s.mirror !== undefined);
    }
    expect(seen[1]).toContain("siskin-canary-primary");
    expect(seen[2]).not.toContain("siskin-canary-primary");
    const expected = structuredClone(start);
    const p = expected.spec.http?.[3]?.route;
    if (p) [p[0], p[1]] = [{ ...p[0], weight: 100 } as never, { ...p[1], weight: 0 } as never];
    expect(vs).toEqual(expected);
  });

  it("tls/tcp-only selections cannot mirror or match", () => {
    const res = planTraffic({ vs: loadVs("istio/tcp-echo-vs-20-v2.yaml"), split: reviewsSplit, tcpRoutes: [{ port: 31400 }], canaryWeight: 0, mirror: { percentage: 100 } });
    expect(res).toMatchObject({ ok: false, error: { code: PlanErrorCode.routeNotFound } });
  });

  it.each([
    [{ canaryWeight: 10, mirror: { percentage: 100 } }, "gives the canary no user traffic"],
    [{ canaryWeight: 0, mirror: { percentage: 0 } }, "mirror percentage 0"],
    [{ canaryWeight: 0, mirror: { percentage: 100 }, match: xCanary }, "cannot both mirror and match"],
    [{ canaryWeight: 0, match: [] }, "needs at least one header or cookie condition"],
  ])("rejects %j as SISKIN_ERR_INVALID_STEP", (step, message) => {
    const res = planTraffic({ vs: loadVs("istio/bookinfo-vs-all-v1.yaml", "reviews"), split: reviewsSplit, ...step });
    expect(res).toMatchObject({ ok: false, error: { code: PlanErrorCode.invalidStep } });
    if (!res.ok) expect(res.error.message).toContain(message);
  });

  it("verifyTraffic fails when the mirror was not written", () => {
    const vs = loadVs("istio/bookinfo-vs-all-v1.yaml", "reviews");
    expect(verifyTraffic(vs, { split: reviewsSplit, canaryWeight: 0, mirror: { percentage: 100 } })).toMatchObject({ ok: false, error: { code: PlanErrorCode.weightMismatch } });
  });
});
