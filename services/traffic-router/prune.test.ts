// Which destinations and subsets go when a rollout keeps revisionHistoryLimit versions: only those the
// router added, never one with traffic, never the user's.
import { describe, expect, it } from "vitest";
import { planTrafficPrune, withAddedVersion } from "./prune.js";
import type { DestinationRule, VirtualService } from "./vs-types.js";

const ANN = "siskin.dev/added-versions";
function vsWith(weights: Record<string, number>, added: string): VirtualService {
  return {
    metadata: { name: "ratings", namespace: "bookinfo", resourceVersion: "7", annotations: { [ANN]: added } },
    spec: { hosts: ["ratings"], http: [{ name: "primary", route: Object.entries(weights).map(([subset, weight]) => ({ destination: { host: "ratings", subset }, weight })) }] },
  };
}
function drWith(versions: string[], added: string): DestinationRule {
  return { metadata: { name: "ratings", namespace: "bookinfo", annotations: { [ANN]: added } }, spec: { host: "ratings", subsets: versions.map((v) => ({ name: v, labels: { version: v } })) } };
}
const subsetsOf = (dr: DestinationRule) => (dr.spec.subsets ?? []).map((s) => s.name);
const destsOf = (vs: VirtualService) => (vs.spec.http?.[0]?.route ?? []).map((d) => `${d.destination.subset ?? ""}:${d.weight ?? "-"}`);

describe("planTrafficPrune", () => {
  it("keeps the stable and previous versions; removes older ones the router added; never v1, which the user created", () => {
    const vs = vsWith({ v1: 0, v2: 0, v3: 0, v4: 0, v5: 0, v6: 100 }, "v2,v3,v4,v5,v6");
    const dr = drWith(["v1", "v2", "v3", "v4", "v5", "v6"], "v2,v3,v4,v5,v6");
    const p = planTrafficPrune(vs, dr, ["v6", "v5"], 2);
    expect(p.removed).toEqual(["v2", "v3", "v4"]);
    expect(destsOf(p.vs)).toEqual(["v1:0", "v5:0", "v6:100"]);
    expect(subsetsOf(p.dr)).toEqual(["v1", "v5", "v6"]);
    expect(p.destinations).toEqual(["http[0] → v2", "http[0] → v3", "http[0] → v4"]);
    expect(p.vs.metadata?.annotations).toMatchObject({ [ANN]: "v5,v6" });
    expect(p.dr.metadata?.annotations).toMatchObject({ [ANN]: "v5,v6" });
    expect(vs.spec.http?.[0]?.route).toHaveLength(6); // the input is not modified
  });

  it("never removes a version that still gets traffic, nor its subset", () => {
    const p = planTrafficPrune(vsWith({ v2: 10, v3: 0, v4: 90 }, "v2,v3,v4"), drWith(["v2", "v3", "v4"], "v2,v3,v4"), ["v4"], 1);
    expect(p.withTraffic).toEqual(["v2"]);
    expect(p.removed).toEqual(["v3"]);
    expect(subsetsOf(p.dr)).toEqual(["v2", "v4"]);
  });

  it("never touches a version added after the kept ones: a later release's canary at weight 0", () => {
    const p = planTrafficPrune(vsWith({ v1: 0, v2: 0, v3: 100, v4: 0 }, "v2,v3,v4"), drWith(["v1", "v2", "v3", "v4"], "v2,v3,v4"), ["v3", "v2"], 2);
    expect(p.removed).toEqual([]);
    expect(p.vsChanged || p.drChanged).toBe(false);
    expect(planTrafficPrune(vsWith({ v2: 0, v3: 0, v4: 100, v5: 0 }, "v2,v3,v4,v5"), drWith(["v2", "v3", "v4", "v5"], "v2,v3,v4,v5"), ["v4", "v3"], 2).removed).toEqual(["v2"]);
  });

  it("changes nothing within the limit", () => {
    const p = planTrafficPrune(vsWith({ v1: 0, v2: 100 }, "v2"), drWith(["v1", "v2"], "v2"), ["v2", "v1"], 2);
    expect({ vs: p.vsChanged, dr: p.drChanged, removed: p.removed }).toEqual({ vs: false, dr: false, removed: [] });
  });

  it("records an added version once, oldest first", () => {
    const vs = withAddedVersion(withAddedVersion(vsWith({ v1: 100 }, ""), "v2"), "v2");
    expect(withAddedVersion(vs, "v3").metadata?.annotations).toMatchObject({ [ANN]: "v2,v3" });
  });
});
