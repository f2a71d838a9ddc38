/**
 * The BookInfo story: five tags of `ratings`, each showing one way Siskin decides. Pure data and a
 * pure judge; the player (play.ts) scripts the faults and observes.
 */
import { LatencyProfile } from "../../mesh/latency.js";
import type { StoryResult, StoryScript } from "./types.js";

/** The rollout the stories release (infra/sim/bookinfo). */
export const bookinfoRollout = { namespace: "bookinfo", name: "ratings", service: "ratings", repository: "bookinfo/ratings" } as const;

/** The stable version's p99 latency in the mesh (the default `normal` profile). */
export const stableP99Ms = LatencyProfile.normal.p99Ms;

/** v2.0.0 → v2.4.0, in order. */
export const bookinfoStories: readonly StoryScript[] = [
  {
    tag: "v2.0.0",
    title: "a new VM version: 10 → 50 → Slack approval → 100 %, promoted; v1's VM stopped after the rollback window",
    expect: "promoted",
    expectApproval: true,
    expectStableStopped: true,
  },
  {
    tag: "v2.1.0",
    title: "its VM answers 5xx from the 50 % step: SiskinCanaryHighErrorRate fires, rolled back within seconds",
    expect: "rolledBack",
    expectReason: /alert|SiskinCanaryHighErrorRate/i,
    maxReactionMs: 30_000,
    fault: { kind: "canaryAnnotations", atWeight: 50, annotations: { "sim.siskin.dev/error-rate": "0.15" }, label: "15 % of the canary's answers are now 5xx" },
  },
  {
    tag: "v2.2.0",
    title: "p99 latency 3× stable's: failed intervals counted, rolled back",
    expect: "rolledBack",
    expectReason: /latency/i,
    templateAnnotations: { "sim.siskin.dev/latency-p99-ms": String(3 * stableP99Ms) },
  },
  {
    tag: "v2.3.0",
    title: "the stable VM live-migrates mid-release: weights held, not rolled back, then promoted",
    expect: "promoted",
    expectApproval: true,
    expectHeld: true,
    fault: { kind: "migrateStable", atWeight: 10, migrationSeconds: 8, label: "live-migrating the stable VMI" },
  },
  {
    tag: "v2.4.0",
    title: "shadow traffic first: mirrored 100 % (users see only stable's answers), p99 3× stable's on the mirror, rolled back before any user request reached it",
    expect: "rolledBack",
    expectReason: /latency/i,
    expectMaxCanaryWeight: 0,
    steps: [{ mirror: { percentage: 100 } }, { weight: 10 }, { weight: 50 }, { weight: 100 }],
    templateAnnotations: { "sim.siskin.dev/latency-p99-ms": String(3 * stableP99Ms) },
  },
];

/** What was observed, to judge against the script. */
export type Observed = Pick<StoryResult, "outcome" | "reason" | "approvedBy" | "held" | "stableStopped" | "reactionMs"> & Partial<Pick<StoryResult, "weights">>;

/** The problems of an observed release against its script (empty: as expected). */
export function judgeStory(script: StoryScript, seen: Observed): string[] {
  const problems: string[] = [];
  if (seen.outcome === null) return [`no outcome: the release did not complete in time (last: ${seen.reason || "nothing heard"})`];
  if (seen.outcome !== script.expect) problems.push(`expected ${script.expect}, got ${seen.outcome} (${seen.reason})`);
  if (script.expectReason !== undefined && seen.outcome === script.expect && !script.expectReason.test(seen.reason)) {
    problems.push(`the reason should match ${script.expectReason}, but is "${seen.reason}"`);
  }
  if (script.expectMaxCanaryWeight !== undefined) {
    const max = Math.max(0, ...(seen.weights ?? []));
    if (max > script.expectMaxCanaryWeight) problems.push(`the canary got ${max} % of user traffic (at most ${script.expectMaxCanaryWeight} %)`);
  }
  if (script.expectApproval === true && seen.approvedBy.length === 0) problems.push("nobody approved it in Slack");
  if (script.expectHeld === true && !seen.held) problems.push("it was never held for the live migration");
  if (script.expectStableStopped === true && seen.stableStopped !== true) problems.push("the previous stable VM was not stopped after the rollback window");
  if (script.maxReactionMs !== undefined && seen.outcome === script.expect) {
    if (seen.reactionMs === null) problems.push("the fault was never injected, or the rollback was not seen");
    else if (seen.reactionMs > script.maxReactionMs) problems.push(`rolled back ${(seen.reactionMs / 1000).toFixed(1)} s after the fault (at most ${script.maxReactionMs / 1000} s)`);
  }
  return problems;
}
