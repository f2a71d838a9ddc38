import { describe, expect, it } from "vitest";
import { resolveRollout } from "../../schemas/rollout-defaults.js";
import { SiskinError } from "../../schemas/errors.js";
import type { StepSpec } from "../../schemas/rollout.js";
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

  it("plans mirror 100 % → header match → 10 → 50 → 100", () => {
    const plan = planSteps(
      resolveRollout(
        makeSpec({
          steps: [
            { mirror: { percentage: 100 } },
            { match: [{ headers: { "x-canary": { exact: "always" } } }, { cookie: { name: "beta", value: "true" } }], bakeIntervals: 2 },
            { weight: 10 },
            { weight: 50 },
            { weight: 100 },
          ],
        }),
      ),
    );
    expect(plan.steps.map((s) => [s.kind, s.weight, s.mirrorPercentage, s.label, s.bakeIntervals])).toEqual([
      ["mirror", 0, 100, "mirror 100 %", 1],
      ["match", 0, null, "match x-canary=always or cookie beta=true", 2],
      ["weight", 10, null, "10 %", 1],
      ["weight", 50, null, "50 %", 1],
      ["weight", 100, null, "100 %", 1],
    ]);
    expect(plan.steps.map((s) => s.shape.split(":")[0])).toEqual(["mirror", "match", "", "", ""]);
    expect(plan.promoteJump).toBe(false);
  });

  it("a rollout of only a mirror step still promotes to 100 %", () => {
    const plan = planSteps(resolveRollout(makeSpec({ steps: [{ mirror: { percentage: 50 } }] })));
    expect(plan.promoteJump).toBe(true);
    expect(plan.steps[0]?.shape).toBe("mirror:50");
  });

  it.each([
    [[{ weight: 10, mirror: { percentage: 100 } }], "spec.steps[0] gives weight and mirror of weight, mirror, match: give exactly one"],
    [[{ bakeIntervals: 2 }], "spec.steps[0] gives none of weight, mirror, match"],
    [[{ weight: 10 }, { mirror: { percentage: 100 } }], "spec.steps[1] is a mirror step after the weight step spec.steps[0]"],
    [[{ weight: 10 }, { match: [{ headers: { "x-canary": { exact: "1" } } }] }], "spec.steps[1] is a match step after the weight step"],
    [[{ mirror: { percentage: 0 } }], "spec.steps[0].mirror.percentage is 0: use a number above 0 and at most 100"],
    [[{ mirror: { percentage: 120 } }], "spec.steps[0].mirror.percentage is 120"],
    [[{ match: [] }], "spec.steps[0].match is empty"],
    [[{ match: [{}] }], "spec.steps[0].match[0] has no condition: give headers or a cookie"],
    [[{ match: [{ headers: { "x-a": { exact: "1", prefix: "2" } } }] }], 'spec.steps[0].match[0].headers["x-a"] gives exact and prefix match: give exactly one'],
    [[{ match: [{ headers: { "x-a": {} } }] }], 'spec.steps[0].match[0].headers["x-a"] gives no match'],
    [[{ match: [{ headers: { "X Canary": { exact: "1" } } }] }], 'headers["X Canary"]: a header name is a lower-case HTTP token'],
    [[{ match: [{ headers: { cookie: { regex: "beta" } } }] }], "use {cookie: {name, value}} for cookies"],
    [[{ match: [{ headers: { "x-a": { regex: "(" } } }] }], 'regex "(" does not compile'],
    [[{ match: [{ headers: { "x-a": { regex: "(?!internal).*" } } }] }], "lookaround or backreference, which RE2"],
    [[{ match: [{ headers: { "x-a": { exact: "1" } }, cookie: { name: "b", value: "1" } }] }], "has both headers and a cookie"],
    [[{ match: [{ cookie: { name: "beta", value: "a;b" } }] }], "cookie.value \"a;b\" holds a character"],
  ])("rejects %j", (steps, problem) => {
    expect(validateSteps(steps as StepSpec[]).join("; ")).toContain(problem);
    expect(() => planSteps(resolveRollout(makeSpec({ steps: steps as StepSpec[] })))).toThrow(SiskinError);
  });
});
