import { describe, expect, it } from "vitest";
import { resolveRollout } from "../../schemas/rollout-defaults.js";
import { SiskinError } from "../../schemas/errors.js";
import { bakeMs, isLast, nextStep, planSteps, validateSteps } from "./steps.js";
import { makeSpec } from "./fixtures.test-util.js";

describe("steps", () => {
  it("defaults to 10 → 50 → 100 with one interval each", () => {
    const plan = planSteps(resolveRollout(makeSpec()));
    expect(plan.steps.map((s) => [s.weight, s.bakeIntervals, s.approval])).toEqual([
      [10, 1, null],
      [50, 1, null],
      [100, 1, null],
    ]);
    expect(plan.promoteJump).toBe(false);
    expect(isLast(plan, 2)).toBe(true);
    expect(nextStep(plan, 0)?.weight).toBe(50);
    expect(nextStep(plan, 2)).toBeNull();
    expect(bakeMs(plan, 1)).toBe(60_000);
  });

  it("resolves gates and a last step below 100 (promotion still goes to 100)", () => {
    const plan = planSteps(
      resolveRollout(makeSpec({ steps: [{ weight: 5, bakeIntervals: 3 }, { weight: 25, approval: { timeoutSeconds: 600, onTimeout: "approve" } }] })),
    );
    expect(plan.steps[1]?.approval).toEqual({ timeoutMs: 600_000, onTimeout: "approve" });
    expect(plan.promoteJump).toBe(true);
    expect(bakeMs(plan, 0)).toBe(180_000);
  });

  it.each([
    [[{ weight: 50 }, { weight: 50 }], "spec.steps[1].weight 50 is not above the previous step's 50"],
    [[{ weight: 60 }, { weight: 20 }], "spec.steps[1].weight 20 is not above the previous step's 60"],
    [[{ weight: 0 }], "spec.steps[0].weight is 0: use an integer from 1 to 100"],
    [[{ weight: 101 }], "spec.steps[0].weight is 101"],
    [[], "spec.steps is empty"],
  ])("rejects %j", (steps, problem) => {
    expect(validateSteps(steps).join("; ")).toContain(problem);
    expect(() => planSteps(resolveRollout(makeSpec({ steps })))).toThrow(SiskinError);
  });
});
