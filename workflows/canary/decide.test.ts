import { describe, expect, it } from "vitest";
import type { MetricVerdict } from "../../schemas/analysis.js";
import { decide, zeroCounters, type Counters, type Limits } from "./decide.js";
import { verdict } from "./fixtures.test-util.js";

const limits: Limits = { failureLimit: 1, inconclusiveLimit: 2, errorLimit: 4, noData: "hold" };
const c = (failures = 0, inconclusive = 0, errors = 0): Counters => ({ failures, inconclusive, errors });

describe("decide", () => {
  it.each<{ name: string; v: MetricVerdict[]; counters: Counters; limits?: Partial<Limits>; action: string; after: Counters; has: string }>([
    { name: "pass advances and resets", v: [verdict.pass()], counters: c(1, 2, 3), action: "advance", after: c(), has: "interval passed" },
    { name: "1st failure with limit 1 holds", v: [verdict.fail()], counters: c(), action: "hold", after: c(1), has: "failed interval 1 of 1 tolerated" },
    { name: "2nd consecutive failure with limit 1 rolls back", v: [verdict.fail()], counters: c(1), action: "rollback", after: c(2), has: "2 consecutive failed intervals (limit 1): latency-p99 412 ms" },
    { name: "limit 0: first failure rolls back", v: [verdict.fail()], counters: c(), limits: { failureLimit: 0 }, action: "rollback", after: c(1), has: "1 consecutive failed intervals (limit 0)" },
    { name: "critical rolls back at once", v: [verdict.pass(), verdict.critical()], counters: c(), action: "rollback", after: c(1), has: "critical: error-rate 35 %" },
    { name: "inconclusive within limit holds", v: [verdict.inconclusive()], counters: c(0, 1), action: "hold", after: c(0, 2), has: "inconclusive interval 2 of 2 tolerated" },
    { name: "inconclusive beyond limit, noData=hold", v: [verdict.inconclusive()], counters: c(0, 2), action: "hold", after: c(0, 3), has: "3 consecutive inconclusive intervals (limit 2), noData=hold" },
    { name: "inconclusive beyond limit, noData=rollback", v: [verdict.inconclusive()], counters: c(0, 2), limits: { noData: "rollback" }, action: "rollback", after: c(0, 3), has: "noData=rollback" },
    { name: "inconclusive beyond limit, noData=pause", v: [verdict.inconclusive()], counters: c(0, 2), limits: { noData: "pause" }, action: "pause", after: c(0, 3), has: "noData=pause" },
    { name: "inconclusive keeps the failure count", v: [verdict.inconclusive()], counters: c(1, 0), action: "hold", after: c(1, 1), has: "inconclusive interval 1" },
    { name: "error within limit holds", v: [verdict.error()], counters: c(0, 0, 3), action: "hold", after: c(0, 0, 4), has: "query error 4 of 4 tolerated" },
    { name: "error beyond limit pauses", v: [verdict.error()], counters: c(0, 0, 4), action: "pause", after: c(0, 0, 5), has: "5 consecutive query errors (limit 4), pausing for a human" },
    { name: "fail beats error", v: [verdict.error(), verdict.fail()], counters: c(), action: "hold", after: c(1), has: "failed interval 1" },
    { name: "no verdicts is inconclusive", v: [], counters: c(), action: "hold", after: c(0, 1), has: "no metrics were judged" },
  ])("$name", ({ v, counters, limits: over, action, after, has }) => {
    const d = decide({ verdicts: v, counters, limits: { ...limits, ...over } });
    expect(d.action).toBe(action);
    expect(d.counters).toEqual(after);
    expect(d.reason).toContain(has);
  });

  it("a migration makes the interval inconclusive without touching any counter", () => {
    const d = decide({ verdicts: [verdict.fail()], counters: c(0, 2), limits, migration: "VMI shop/ratings-v1 migrating" });
    expect(d).toMatchObject({ action: "hold", summary: "migrating", counters: c(0, 2) });
    expect(d.reason).toContain("the no-data limit untouched");
  });

  it("a critical verdict still rolls back during a migration", () => {
    expect(decide({ verdicts: [verdict.critical()], counters: zeroCounters, limits, migration: "x" }).action).toBe("rollback");
  });

  it("failures are consecutive, not cumulative: fail, pass, fail never rolls back with limit 1", () => {
    let counters = zeroCounters;
    for (const v of [verdict.fail(), verdict.pass(), verdict.fail(), verdict.pass(), verdict.fail()]) {
      const d = decide({ verdicts: [v], counters, limits });
      expect(d.action).not.toBe("rollback");
      counters = d.counters;
    }
  });
});
