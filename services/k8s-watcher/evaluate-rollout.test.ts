import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { checkPayload } from "../../schemas/codec.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import type { RolloutIndexEntry } from "../../schemas/rollout-index.js";
import { Event } from "../../schemas/subjects.js";
import { driftFor, observedWeights, rolloutFacts, type DriftInput } from "./evaluate-rollout.js";

const fixture = fileURLToPath(new URL("../../test/fixtures/upstream/istio/bookinfo-vs-reviews-80-20.yaml", import.meta.url));
const reviews = YAML.parse(readFileSync(fixture, "utf8")) as DriftInput["vs"];
const vs = { ...reviews, metadata: { ...reviews.metadata, namespace: "default", uid: "vs-uid", resourceVersion: "70" } };

const spec: VMRolloutSpec = {
  service: "reviews",
  virtualService: { name: "reviews" },
  destinationRule: { name: "reviews" },
  stableVersion: "v1",
  vmTemplate: { spec: {} },
};
const entry: RolloutIndexEntry = { releaseId: "default/reviews/v2", version: "v2", lastSetWeight: 20 };

function withAnnotations(weight: string, release = entry.releaseId): DriftInput["vs"] {
  return { ...vs, metadata: { ...vs.metadata, annotations: { "siskin.dev/canary-weight": weight, "siskin.dev/weights-release": release } } };
}

describe("driftFor (upstream bookinfo reviews 80/20)", () => {
  it.each<[string, DriftInput["vs"], RolloutIndexEntry, number | null | "none"]>([
    ["weights as Siskin set them (index)", vs, entry, "none"],
    ["someone moved the canary to 50 (index said 20)", vs, { ...entry, lastSetWeight: 50 }, 20],
    ["the annotation of this release wins over a lagging index", withAnnotations("20"), { ...entry, lastSetWeight: 10 }, "none"],
    ["annotation 10 but the route carries 20", withAnnotations("10"), entry, 20],
    ["another release's annotation is ignored", withAnnotations("90", "default/reviews/v0"), entry, "none"],
    ["nothing set for this release yet", vs, { releaseId: "default/reviews/v2", version: "v2" }, "none"],
    ["the canary subset left the route: it gets 0 %, as Istio routes it", vs, { ...entry, version: "v3" }, 0],
    ["no route has the stable subset any more", vs, { ...entry, stableVersion: "v0" }, null],
    ["a mirror step: weight 0 written, the canary not listed in the route", withAnnotations("0"), { ...entry, version: "v3" }, "none"],
  ])("%s", (_n, object, e, want) => {
    const facts = driftFor({ vs: object, rollout: { name: "reviews", spec }, entry: e });
    if (want === "none") {
      expect(facts).toEqual([]);
      return;
    }
    expect(facts).toHaveLength(1);
    const [f] = facts;
    expect(f?.subject).toBe(Event.rolloutDriftDetected);
    expect(f?.data).toMatchObject({ rollout: { namespace: "default", name: "reviews" }, virtualService: "reviews", observedCanaryWeight: want });
    expect(f?.releaseId).toBe("default/reviews/v2");
    expect(f?.id).toBe("drift:default/reviews:reviews:70");
    expect(checkPayload(f!.subject, f!.data)).toEqual([]);
  });

  it("names the editor from managedFields", () => {
    const edited = { ...vs, metadata: { ...vs.metadata, managedFields: [{ manager: "siskin-traffic-router", time: "2024-01-01T00:00:00Z" }, { manager: "kubectl-edit", time: "2024-01-01T00:05:00Z" }] } };
    const [f] = driftFor({ vs: edited, rollout: { name: "reviews", spec }, entry: { ...entry, lastSetWeight: 30 } });
    expect(f?.data).toMatchObject({ editor: "kubectl-edit", expectedCanaryWeight: 30 });
  });

  it("reads only the named http routes, and implicit weights as Istio does", () => {
    const two = { ...vs, spec: { http: [{ name: "a", route: [{ destination: { host: "reviews", subset: "v1" } }, { destination: { host: "reviews", subset: "v2" }, weight: 100 }] }, { name: "b", route: [{ destination: { host: "reviews", subset: "v1" }, weight: 60 }, { destination: { host: "reviews", subset: "v2" }, weight: 40 }] }] } };
    expect(observedWeights({ vs: two, rollout: { name: "reviews", spec: { ...spec, virtualService: { name: "reviews", routes: ["b"] } } }, entry })).toEqual([40]);
    expect(observedWeights({ vs: two, rollout: { name: "reviews", spec }, entry })).toEqual([100, 40]);
  });
});

describe("rolloutFacts", () => {
  const ro = { apiVersion: "siskin.dev/v1alpha1", kind: "VMRollout", metadata: { name: "reviews", namespace: "default", uid: "ro-1", generation: 1, resourceVersion: "5" }, spec };
  const bumped = { ...ro, metadata: { ...ro.metadata, generation: 2, resourceVersion: "8" } };
  const statusOnly = { ...ro, metadata: { ...ro.metadata, resourceVersion: "6" } };
  it.each<[string, typeof ro | undefined, typeof ro | undefined, boolean, string[]]>([
    ["generation moved", ro, bumped, false, ["rollout:ro-1:spec_changed:2"]],
    ["status-only update", ro, statusOnly, false, []],
    ["created after the first sync", undefined, ro, false, ["rollout:ro-1:spec_changed:1"]],
    ["already there at the first sync", undefined, ro, true, []],
    ["deleted", ro, undefined, false, []],
  ])("%s", (_n, prev, next, bootstrap, ids) => {
    const facts = rolloutFacts(prev, next, { bootstrap });
    expect(facts.map((f) => f.id)).toEqual(ids);
    for (const f of facts) expect(checkPayload(f.subject, f.data)).toEqual([]);
  });
});
