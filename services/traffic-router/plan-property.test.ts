import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch } from "./json-patch.js";
import { validCases } from "./plan-cases.test-util.js";
import { planWeights, readWeights } from "./plan.js";

describe("planWeights properties (every valid upstream fixture, every weight)", () => {
  it("applying the patch gives the planned object; readWeights returns the weight; replanning is a no-op", () => {
    fc.assert(
      fc.property(fc.constantFrom(...validCases), fc.integer({ min: 0, max: 100 }), (c, weight) => {
        const vs = c.vs();
        const plan = planWeights({ ...c.selection, vs, canaryWeight: weight });
        if (!plan.ok) return false;
        expect(applyPatch(vs, plan.patch)).toEqual({ ok: true, doc: plan.vs });
        const read = readWeights(plan.vs, c.selection);
        if (!read.ok) return false;
        expect(read.routes.map((r) => [r.canaryWeight, r.stableWeight])).toEqual(read.routes.map(() => [weight, 100 - weight]));
        const again = planWeights({ ...c.selection, vs: plan.vs, canaryWeight: weight });
        expect(again).toMatchObject({ ok: true, changed: false, patch: [] });
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("a chain of steps ends where a direct plan does", () => {
    fc.assert(
      fc.property(fc.constantFrom(...validCases), fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 5 }), (c, steps) => {
        let vs = c.vs();
        for (const w of steps) {
          const plan = planWeights({ ...c.selection, vs, canaryWeight: w });
          if (!plan.ok) return false;
          const applied = applyPatch(vs, plan.patch);
          if (!applied.ok) return false;
          vs = applied.doc as typeof vs;
        }
        const last = steps[steps.length - 1] ?? 0;
        const direct = planWeights({ ...c.selection, vs: c.vs(), canaryWeight: last });
        if (!direct.ok) return false;
        expect(readWeights(vs, c.selection)).toEqual(readWeights(direct.vs, c.selection));
        return true;
      }),
      { numRuns: 100 },
    );
  });
});
