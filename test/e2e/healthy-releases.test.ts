/**
 * "The simulated world is healthy when it says so": ten releases of healthy versions in a row (no
 * fault injected, the default latency profile for every version), each through 10 → 50 → Slack
 * approval → 100 %, must all be promoted. Before the default latency moved off Istio's 100 ms bucket
 * edge, about a third of the intervals failed `latency-p99 ≤ 1.2 × stable` on noise alone and some of
 * these releases were rolled back. No sleeps: the player waits on events with bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoryResult } from "../../sim/cli/demo/types.js";
import { startE2eWorld, type E2eWorld } from "./world.test-util.js";

let w: E2eWorld;
beforeAll(async () => {
  w = await startE2eWorld();
}, 60_000);
afterAll(async () => {
  await w?.close();
});

const tags = Array.from({ length: 10 }, (_, i) => `v3.${i}.0`);
const results: StoryResult[] = [];

describe("ten healthy releases in a row", () => {
  // A single failed interval is tolerated (failureLimit 1) and still happens on p99 noise: 3 of 10 releases
  // had one in the merged suite (a p99 estimated from ~50 samples in Istio's wide 100–250 ms bucket). That
  // is judging noise, which the sequential judge (analysis.sequential) removes; this test holds the
  // promise a user sees: every healthy release is promoted through every step.
  it.each(tags)("%s: promoted through every step", async (tag) => {
    const r = await w.play({ tag, title: `healthy ${tag}`, expect: "promoted", expectApproval: true });
    results.push(r);
    expect({ tag, outcome: r.outcome, reason: r.reason, problems: r.problems }).toEqual({ tag, outcome: "promoted", reason: expect.any(String), problems: [] });
    expect(r.weights).toEqual([10, 50, 100]);
    const audit = await w.audit(r.releaseId);
    expect(audit.filter((a) => /^roll/i.test(a.to)).map((a) => a.reason)).toEqual([]);
  }, 120_000);

  it("ten promotions out of ten", () => {
    expect(results.map((r) => r.outcome)).toEqual(tags.map(() => "promoted"));
  });
});
