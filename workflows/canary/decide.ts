/**
 * The counted path: one interval's verdicts + consecutive counters + limits → advance, hold,
 * rollback or pause. Pure. Counters are consecutive (a pass resets them), not cumulative like
 * Flagger's failedChecks, so intermittent flaps do not add up over a long release.
 */
import type { MetricVerdict, VerdictKind } from "../../schemas/analysis.js";
import type { NoDataPolicy } from "../../schemas/rollout.js";
import { summarize } from "./judge.js";

/** Consecutive intervals of each kind, as persisted in the workflow's context. */
export interface Counters {
  failures: number;
  inconclusive: number;
  errors: number;
}

/** The rollout's tolerance. `failureLimit` 1 ⇒ the 2nd consecutive failed interval rolls back. */
export interface Limits {
  failureLimit: number;
  inconclusiveLimit: number;
  errorLimit: number;
  noData: NoDataPolicy;
}

/** What to do after an interval. `advance` means the interval counts toward the step's bake. */
export type DecisionAction = "advance" | "hold" | "rollback" | "pause";

/** A decision with its reason and the counters after this interval. */
export interface Decision {
  action: DecisionAction;
  reason: string;
  counters: Counters;
  /** The interval's summary, or `migrating` when a live migration overlapped it. */
  summary: VerdictKind | "migrating";
  /** A critical bound was crossed (fast path). */
  critical: boolean;
}

/** Inputs of {@link decide}. */
export interface DecideInput {
  verdicts: readonly MetricVerdict[];
  counters: Counters;
  limits: Limits;
  /** When set, a live migration overlapped the interval (the sentence says which VMI). */
  migration?: string | null;
}

/** No counters yet. */
export const zeroCounters: Counters = { failures: 0, inconclusive: 0, errors: 0 };

function reasons(verdicts: readonly MetricVerdict[], kind: VerdictKind): string {
  return verdicts
    .filter((v) => v.verdict === kind)
    .map((v) => v.reason)
    .join("; ");
}

/** Decide what one judged interval means for the release. */
export function decide(input: DecideInput): Decision {
  const { verdicts, counters, limits } = input;
  const critical = verdicts.filter((v) => v.critical);
  if (critical.length > 0) {
    return {
      action: "rollback",
      critical: true,
      summary: "fail",
      counters: { ...counters, failures: counters.failures + 1 },
      reason: `critical: ${critical.map((v) => v.reason).join("; ")}`,
    };
  }
  if (input.migration) {
    return {
      action: "hold",
      critical: false,
      summary: "migrating",
      counters: { ...counters },
      reason: `interval overlapped a live migration (${input.migration}): counted as inconclusive, the no-data limit untouched`,
    };
  }
  const summary = summarize(verdicts);
  switch (summary) {
    case "pass":
      return { action: "advance", critical: false, summary, counters: { ...zeroCounters }, reason: `interval passed: ${reasons(verdicts, "pass")}` };
    case "fail": {
      const failures = counters.failures + 1;
      const next = { ...counters, failures, inconclusive: 0, errors: 0 };
      const why = reasons(verdicts, "fail");
      if (failures > limits.failureLimit) {
        return { action: "rollback", critical: false, summary, counters: next, reason: `${failures} consecutive failed intervals (limit ${limits.failureLimit}): ${why}` };
      }
      return {
        action: "hold",
        critical: false,
        summary,
        counters: next,
        reason: `failed interval ${failures} of ${limits.failureLimit} tolerated, holding: ${why}`,
      };
    }
    case "error": {
      const errors = counters.errors + 1;
      const next = { ...counters, errors };
      const why = reasons(verdicts, "error");
      if (errors > limits.errorLimit) {
        return { action: "pause", critical: false, summary, counters: next, reason: `${errors} consecutive query errors (limit ${limits.errorLimit}), pausing for a human: ${why}` };
      }
      return { action: "hold", critical: false, summary, counters: next, reason: `query error ${errors} of ${limits.errorLimit} tolerated, holding: ${why}` };
    }
    case "inconclusive": {
      const inconclusive = counters.inconclusive + 1;
      const next = { ...counters, inconclusive, errors: 0 };
      const why = verdicts.length === 0 ? "no metrics were judged" : reasons(verdicts, "inconclusive");
      if (inconclusive > limits.inconclusiveLimit) {
        const head = `${inconclusive} consecutive inconclusive intervals (limit ${limits.inconclusiveLimit}), noData=${limits.noData}`;
        const action = limits.noData === "rollback" ? "rollback" : limits.noData === "pause" ? "pause" : "hold";
        return { action, critical: false, summary, counters: next, reason: `${head}: ${why}` };
      }
      return {
        action: "hold",
        critical: false,
        summary,
        counters: next,
        reason: `inconclusive interval ${inconclusive} of ${limits.inconclusiveLimit} tolerated, holding: ${why}`,
      };
    }
    default: {
      const never: never = summary;
      throw new Error(`unknown verdict summary ${String(never)}`);
    }
  }
}
