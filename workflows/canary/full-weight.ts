/**
 * Judging at 100 %: the stable version gets no traffic, so a metric that is inconclusive only because
 * stable has no data is judged on its absolute bounds (the analyzer already failed it when one was
 * crossed). Without this a `100` step with relative bounds (the default metrics) never passes. Pure.
 */
import type { MetricVerdict } from "../../schemas/analysis.js";
import { fmt } from "./format.js";

/** The verdicts as they count at canary weight 100. */
export function verdictsAtFullWeight(verdicts: readonly MetricVerdict[], minRequests: number): MetricVerdict[] {
  return verdicts.map((v) => {
    const stableOnly = v.verdict === "inconclusive" && v.stable === null && v.canary !== null && (v.canaryRequests === undefined || v.canaryRequests >= minRequests);
    if (!stableOnly) return v;
    return { ...v, verdict: "pass", reason: `${v.metric}: stable gets no traffic at 100 %, so only absolute bounds apply and none was crossed (canary ${fmt(v.canary as number)})` };
  });
}
