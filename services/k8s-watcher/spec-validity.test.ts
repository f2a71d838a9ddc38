// The SpecValid condition and the InvalidSpec phase, from the problems found in a spec.
import { describe, expect, it } from "vitest";
import type { VMRolloutStatus } from "../../schemas/rollout.js";
import { specValidityStatus } from "./spec-validity.js";

const T1 = "2026-03-01T12:00:00Z";
const T2 = "2026-03-01T12:05:00Z";
const bad = [{ path: "spec.analysis.metrics[0].query", message: "unknown placeholder {{namspace}}" }];
const promoted: VMRolloutStatus = { phase: "Promoted", releaseId: "shop/ratings/v2", state: "succeeded", stableVersion: "v2" };

describe("specValidityStatus", () => {
  it("writes nothing for a spec that was always valid", () => {
    expect(specValidityStatus(undefined, 1, [], T1, "Idle")).toBeNull();
    expect(specValidityStatus(promoted, 3, [], T1, "Promoted")).toBeNull();
  });

  it("marks an invalid spec: SpecValid=False with every problem and its path, phase InvalidSpec", () => {
    const s = specValidityStatus(promoted, 4, bad, T1, "Promoted");
    expect(s?.phase).toBe("InvalidSpec");
    expect(s?.stableVersion).toBe("v2");
    expect(s?.conditions).toEqual([
      { type: "SpecValid", status: "False", reason: "InvalidSpec", message: "spec.analysis.metrics[0].query: unknown placeholder {{namspace}}", lastTransitionTime: T1, observedGeneration: 4 },
    ]);
    expect(s?.message).toBe("InvalidSpec: spec.analysis.metrics[0].query: unknown placeholder {{namspace}}");
  });

  it("writes once: the same problems at the same generation need no second write", () => {
    const s = specValidityStatus(undefined, 4, bad, T1, "Idle");
    expect(specValidityStatus(s ?? undefined, 4, bad, T2, "Idle")).toBeNull();
  });

  it("follows a new generation with the same problems (observedGeneration), keeping the transition time", () => {
    const s = specValidityStatus(undefined, 4, bad, T1, "Idle");
    const again = specValidityStatus(s ?? undefined, 5, bad, T2, "Idle");
    expect(again?.conditions?.[0]).toMatchObject({ status: "False", observedGeneration: 5, lastTransitionTime: T1 });
  });

  it("clears InvalidSpec once the spec is fixed: SpecValid=True, the last release's phase back, the message gone", () => {
    const invalid = specValidityStatus(promoted, 4, bad, T1, "Promoted");
    const fixed = specValidityStatus(invalid ?? undefined, 5, [], T2, "Promoted");
    expect(fixed?.phase).toBe("Promoted");
    expect(fixed?.message).toBeUndefined();
    expect(fixed?.conditions).toEqual([{ type: "SpecValid", status: "True", reason: "SpecValid", message: "the spec passed every check", lastTransitionTime: T2, observedGeneration: 5 }]);
  });

  it("keeps the conditions other writers own", () => {
    const withReady: VMRolloutStatus = { ...promoted, conditions: [{ type: "Ready", status: "True", reason: "Succeeded", message: "", lastTransitionTime: T1 }] };
    expect(specValidityStatus(withReady, 2, bad, T2, "Promoted")?.conditions?.map((c) => c.type)).toEqual(["Ready", "SpecValid"]);
  });
});
