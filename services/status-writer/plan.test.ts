// A release's status write keeps the k8s-watcher's SpecValid condition, and InvalidSpec stays shown.
import { describe, expect, it } from "vitest";
import type { Condition, VMRolloutStatus } from "../../schemas/rollout.js";
import { mergeStatus } from "./plan.js";

const T1 = "2026-03-01T12:00:00Z";
const T2 = "2026-03-01T12:05:00Z";
const cond = (type: string, status: "True" | "False", at: string, observedGeneration?: number): Condition => ({
  type,
  status,
  reason: type,
  message: "",
  lastTransitionTime: at,
  ...(observedGeneration === undefined ? {} : { observedGeneration }),
});
const release: VMRolloutStatus = { phase: "Progressing", state: "step.analyzing", conditions: [cond("Progressing", "True", T2)] };

describe("mergeStatus", () => {
  it("keeps a condition's transition time while its status holds", () => {
    const out = mergeStatus({ conditions: [cond("Progressing", "True", T1)] }, release, 3);
    expect(out.conditions).toEqual([cond("Progressing", "True", T1)]);
    expect(out.observedGeneration).toBe(3);
  });

  it("keeps the watcher's SpecValid condition beside the release's", () => {
    const out = mergeStatus({ conditions: [cond("SpecValid", "True", T1, 3)] }, release, 3);
    expect(out.conditions?.map((c) => c.type)).toEqual(["Progressing", "SpecValid"]);
    expect(out.phase).toBe("Progressing");
  });

  it("keeps phase InvalidSpec while SpecValid is False for this generation", () => {
    expect(mergeStatus({ phase: "InvalidSpec", conditions: [cond("SpecValid", "False", T1, 3)] }, release, 3).phase).toBe("InvalidSpec");
    expect(mergeStatus({ phase: "InvalidSpec", conditions: [cond("SpecValid", "False", T1, 2)] }, release, 3).phase).toBe("Progressing");
  });
});
