/**
 * The step plan: which canary weights, how long each bakes, which are gated. Pure.
 *
 * Rules: 1–20 steps, weights integers in 1..100 and strictly increasing. The last step may be
 * below 100: after it passes, promotion still moves the canary to 100 % (without baking there,
 * as Argo Rollouts does after its last step); add an explicit 100 step to have 100 % judged.
 */
import type { ResolvedRollout } from "../../schemas/rollout-defaults.js";
import type { StepSpec } from "../../schemas/rollout.js";
import { SiskinError } from "../../schemas/errors.js";

/** One step of the plan, defaults resolved. */
export interface PlannedStep {
  index: number;
  weight: number;
  bakeIntervals: number;
  /** Ask before shifting to this step. */
  approval: { timeoutMs: number; onTimeout: "reject" | "approve" } | null;
}

/** The resolved plan of a release. */
export interface StepPlan {
  steps: PlannedStep[];
  intervalMs: number;
  /** True when the last step is below 100 %, so promotion shifts the rest unjudged. */
  promoteJump: boolean;
}

/** Problems with a step list (empty when valid), each naming the step and the fix. */
export function validateSteps(steps: readonly StepSpec[]): string[] {
  const problems: string[] = [];
  if (steps.length === 0) problems.push("spec.steps is empty: give at least one step, e.g. [{weight: 100}]");
  if (steps.length > 20) problems.push(`spec.steps has ${steps.length} steps: at most 20 are allowed`);
  steps.forEach((s, i) => {
    if (!Number.isInteger(s.weight) || s.weight < 1 || s.weight > 100) {
      problems.push(`spec.steps[${i}].weight is ${s.weight}: use an integer from 1 to 100`);
    }
    const prev = steps[i - 1];
    if (prev !== undefined && s.weight <= prev.weight) {
      problems.push(`spec.steps[${i}].weight ${s.weight} is not above the previous step's ${prev.weight}: weights must strictly increase`);
    }
    if (s.bakeIntervals !== undefined && (!Number.isInteger(s.bakeIntervals) || s.bakeIntervals < 1)) {
      problems.push(`spec.steps[${i}].bakeIntervals is ${s.bakeIntervals}: use an integer ≥ 1`);
    }
  });
  return problems;
}

/** The plan of a resolved rollout, or the problems that prevent one. */
export function tryPlanSteps(rollout: ResolvedRollout): { plan: StepPlan; problems: [] } | { plan: null; problems: string[] } {
  const problems = validateSteps(rollout.steps);
  if (problems.length > 0) return { plan: null, problems };
  const steps = rollout.steps.map((s, index) => ({
    index,
    weight: s.weight,
    bakeIntervals: s.bakeIntervals ?? 1,
    approval:
      s.approval === undefined
        ? null
        : { timeoutMs: (s.approval.timeoutSeconds ?? 3600) * 1000, onTimeout: s.approval.onTimeout ?? "reject" },
  }));
  const last = steps[steps.length - 1];
  return { plan: { steps, intervalMs: rollout.intervalMs, promoteJump: (last?.weight ?? 0) < 100 }, problems: [] };
}

/** The plan of a resolved rollout; throws SISKIN_ERR_INVALID_ROLLOUT listing every problem. */
export function planSteps(rollout: ResolvedRollout): StepPlan {
  const r = tryPlanSteps(rollout);
  if (r.plan === null) {
    throw new SiskinError("SISKIN_ERR_INVALID_ROLLOUT", `VMRollout steps are invalid: ${r.problems.join("; ")}`);
  }
  return r.plan;
}

/** The step at `index`; throws when out of range (a bug, not an input problem). */
export function stepAt(plan: StepPlan, index: number): PlannedStep {
  const s = plan.steps[index];
  if (s === undefined) throw new RangeError(`step ${index} is outside the plan of ${plan.steps.length} steps`);
  return s;
}

/** True when `index` is the plan's last step. */
export function isLast(plan: StepPlan, index: number): boolean {
  return index >= plan.steps.length - 1;
}

/** The step after `index`, or null after the last. */
export function nextStep(plan: StepPlan, index: number): PlannedStep | null {
  return plan.steps[index + 1] ?? null;
}

/** How long a step bakes at its weight: bakeIntervals × interval. */
export function bakeMs(plan: StepPlan, index: number): number {
  return stepAt(plan, index).bakeIntervals * plan.intervalMs;
}
