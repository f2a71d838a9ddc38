/**
 * Sequential judging end to end in the simulated world (analysis.sequential on the ratings rollout,
 * 100 requests/s, 0.1 % background 5xx on both versions): a healthy canary is promoted once the
 * evidence rules out a regression beyond the tolerance, and a canary that answers 4 points more
 * 5xx from its 50 % step (4.1 %: above the rollout's 2 % bound, below the 5 % of the alert
 * SiskinCanaryHighErrorRate, which never fires) is rolled back by the analyzer's sequential verdict.
 *
 * A +10-point fault from the 50 % step is not shown here because the alert (10 s window, for 2 s)
 * wins that race: the fault starts mid-release and the sequential test weighs it against the clean
 * requests of the 10 % step (docs/decisions/sequential-analysis.md, "where it loses"). No sleeps:
 * the player waits on events with bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoryScript } from "../../sim/cli/demo/types.js";
import { startE2eWorld, type E2eWorld } from "./world.test-util.js";

const background = { "sim.siskin.dev/error-rate": "0.001" };

let w: E2eWorld;
beforeAll(async () => {
  w = await startE2eWorld();
  await w.ports.kube.patchVmiAnnotations("bookinfo", "ratings-v1", background);
  // Tolerances a 10 requests/s canary can prove within a minute or two: 5xx ≤ 2 %, ≤ stable + 1 point;
  // slow requests (above the boundary near stable's p99) ≤ stable's + 5 points.
  w.patchRollout({
    progressDeadlineSeconds: 600,
    analysis: {
      sequential: { alpha: 0.05, latencyShareDelta: 5 },
      metrics: [
        { name: "error-rate", builtin: "error-rate", unit: "percent", max: 2, relative: { maxDelta: 1 } },
        { name: "latency-p99", builtin: "latency-p99", unit: "ms", relative: { maxRatio: 1.2 } },
      ],
    },
  });
}, 60_000);
afterAll(async () => {
  await w?.close();
});

describe("sequential judging in the simulated world", () => {
  it("promotes a healthy canary with a 0.1 % background of 5xx on sequential evidence", async () => {
    const story: StoryScript = { tag: "v3.0.0", title: "healthy, background 5xx", expect: "promoted", expectApproval: true, templateAnnotations: background };
    const r = await w.play(story, undefined, 240_000);
    expect(r.problems).toEqual([]);
    expect(r.weights).toEqual([10, 50, 100]);
    const audit = await w.audit(r.releaseId);
    const passed = audit.find((a) => a.event === "evt.analysis.completed" && /sequential/.test(a.reason) && /ruled out/.test(a.reason));
    expect(passed).toBeDefined();
  }, 360_000);

  it("rolls a +4-point canary back on the sequential verdict, where no alert fires", async () => {
    const story: StoryScript = {
      tag: "v3.1.0",
      title: "+4 points of 5xx from the 50 % step",
      expect: "rolledBack",
      expectReason: /sequential/,
      templateAnnotations: background,
      fault: { kind: "canaryAnnotations", atWeight: 50, annotations: { "sim.siskin.dev/error-rate": "0.041" }, label: "4 points more 5xx" },
    };
    const r = await w.play(story, undefined, 240_000);
    expect(r.problems).toEqual([]);
    expect(r.reason).toMatch(/error-rate \(sequential\) 5xx: canary .* regression/);
    const audit = await w.audit(r.releaseId);
    expect(audit.find((a) => a.to === "rollingBack")).toMatchObject({ event: "evt.analysis.completed" });
    expect(r.progress.filter((p) => p.kind === "alert")).toEqual([]);
    expect(r.reactionMs).toBeLessThan(120_000);
  }, 360_000);
});
