import { describe, expect, it } from "vitest";
import { checkSubsetsExist, planDestinationRuleSubsets } from "./destination-rule.js";
import { applyPatch } from "./json-patch.js";
import { PlanErrorCode } from "./plan-errors.js";
import { loadDr } from "./upstream-fixtures.test-util.js";

const bookinfoReviews = () => loadDr("istio/bookinfo-dr-all.yaml", "reviews");
const versions = { versionLabel: "version", stableSubset: "v1", stableVersion: "v1" } as const;

describe("checkSubsetsExist", () => {
  it("passes when the DestinationRule defines every subset (bookinfo reviews v1..v3)", () => {
    expect(checkSubsetsExist(bookinfoReviews(), ["v1", "v3"])).toEqual({ ok: true });
  });

  it("names the missing subset, the DestinationRule and the fix", () => {
    const res = checkSubsetsExist(bookinfoReviews(), ["v1", "v4"]);
    expect(res).toMatchObject({ ok: false, error: { code: PlanErrorCode.subsetNotInDr, object: "DestinationRule reviews", retryable: false } });
    expect(!res.ok && res.error.message).toMatch(/subset "v4" is not defined in DestinationRule reviews.*v1, v2, v3.*add `- name: v4`/);
  });

  it("treats a DestinationRule without subsets (Flagger's host split) as defining none", () => {
    const dr = loadDr("flagger/faq-generated-dr-frontend-primary-canary.yaml", "frontend-canary");
    expect(checkSubsetsExist(dr, ["canary"])).toMatchObject({ ok: false, error: { code: PlanErrorCode.subsetNotInDr } });
  });
});

describe("planDestinationRuleSubsets", () => {
  it("adds a missing canary subset and keeps everything else", () => {
    const dr = bookinfoReviews();
    const res = planDestinationRuleSubsets(dr, { ...versions, canarySubset: "v4", canaryVersion: "v4" });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.changed).toBe(true);
    expect(res.subsets).toEqual([{ name: "v1", action: "kept" }, { name: "v4", action: "added" }]);
    expect(res.dr.spec.subsets).toEqual([...(dr.spec.subsets ?? []), { name: "v4", labels: { version: "v4" } }]);
    expect({ ...res.dr, spec: { ...res.dr.spec, subsets: dr.spec.subsets } }).toEqual(dr);
    expect(applyPatch(dr, res.patch)).toEqual({ ok: true, doc: res.dr });
    expect(dr.spec.subsets).toHaveLength(3);
  });

  it("is idempotent: both subsets present with their versions → unchanged", () => {
    const res = planDestinationRuleSubsets(bookinfoReviews(), { ...versions, canarySubset: "v2", canaryVersion: "v2" });
    expect(res).toMatchObject({ ok: true, changed: false, patch: [] });
  });

  it("points Argo-style stable/canary subsets at the versions, keeping their other labels", () => {
    const dr = loadDr("argo-rollouts/e2e-istio-subset-split.yaml");
    const res = planDestinationRuleSubsets(dr, { versionLabel: "version", stableSubset: "stable", stableVersion: "1.0.0", canarySubset: "canary", canaryVersion: "1.1.0" });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.dr.spec.subsets).toEqual([
      { name: "stable", labels: { app: "istio-subset-split", version: "1.0.0" } },
      { name: "canary", labels: { app: "istio-subset-split", version: "1.1.0" } },
    ]);
    expect(applyPatch(dr, res.patch)).toEqual({ ok: true, doc: res.dr });
    const again = planDestinationRuleSubsets(res.dr, { versionLabel: "version", stableSubset: "stable", stableVersion: "1.0.0", canarySubset: "canary", canaryVersion: "1.1.0" });
    expect(again).toMatchObject({ ok: true, changed: false });
  });

  it("refuses to re-point a stable subset that selects another version, unless allowed", () => {
    const input = { ...versions, stableVersion: "v3", canarySubset: "v2", canaryVersion: "v2" };
    const res = planDestinationRuleSubsets(bookinfoReviews(), input);
    expect(res).toMatchObject({ ok: false, error: { code: PlanErrorCode.subsetConflict } });
    expect(!res.ok && res.error.message).toContain('stable subset "v1" of DestinationRule reviews selects version=v1');
    const promoted = planDestinationRuleSubsets(bookinfoReviews(), { ...input, allowStableRelabel: true });
    expect(promoted).toMatchObject({ ok: true, changed: true, subsets: [{ name: "v1", action: "relabeled" }, { name: "v2", action: "kept" }] });
  });

  it("adds both subsets to a DestinationRule without subsets, patching spec", () => {
    const dr = loadDr("flagger/faq-generated-dr-frontend-primary-canary.yaml", "frontend-primary");
    const res = planDestinationRuleSubsets(dr, { versionLabel: "version", stableSubset: "stable", stableVersion: "a", canarySubset: "canary", canaryVersion: "b" });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.patch.map((o) => [o.op, o.path])).toEqual([["test", "/spec"], ["add", "/spec/subsets"]]);
    expect(res.dr.spec.trafficPolicy).toEqual(dr.spec.trafficPolicy);
    expect(applyPatch(dr, res.patch)).toEqual({ ok: true, doc: res.dr });
  });

  it.each([
    [{ stableSubset: "v1", canarySubset: "v1" }, PlanErrorCode.invalidSplit],
    [{ stableSubset: "v1", canarySubset: "v2", versionLabel: "" }, PlanErrorCode.invalidSplit],
  ])("rejects bad input %o", (over, code) => {
    const res = planDestinationRuleSubsets(bookinfoReviews(), { ...versions, canaryVersion: "v2", ...over });
    expect(res).toMatchObject({ ok: false, error: { code } });
  });
});
