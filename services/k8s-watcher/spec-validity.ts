// Pure: the `SpecValid` condition of a VMRollout and the phase kubectl shows, from the problems
// rolloutSpecProblems found in its spec (Argo Rollouts shows `InvalidSpec` the same way).
import type { Condition, RolloutPhase, VMRolloutStatus } from "../../schemas/rollout.js";
import type { SpecProblem } from "../../schemas/rollout-validate.js";

/** The condition type the watcher owns. */
export const SpecValidCondition = "SpecValid";

/** Kubernetes caps a condition message at 32768 bytes; ours stay readable in `kubectl describe`. */
const MAX_MESSAGE = 4000;

/** `spec.steps[0].weight: must be <= 100; spec.stepz: unknown field "stepz"`. */
export function problemsMessage(problems: readonly SpecProblem[]): string {
  const text = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 1)}…`;
}

/**
 * The status to write so that it says whether the spec of `generation` is valid, or null when it
 * already does. Invalid: condition `SpecValid=False` (reason `InvalidSpec`, every problem in the
 * message) and phase `InvalidSpec`. Valid again: `SpecValid=True`, and a phase `InvalidSpec` goes
 * back to `fallbackPhase` (the phase of the last release's state, or `Idle`).
 */
export function specValidityStatus(
  stored: VMRolloutStatus | undefined,
  generation: number,
  problems: readonly SpecProblem[],
  now: string,
  fallbackPhase: RolloutPhase,
): VMRolloutStatus | null {
  const valid = problems.length === 0;
  const before = stored?.conditions?.find((c) => c.type === SpecValidCondition);
  const wanted: Condition = {
    type: SpecValidCondition,
    status: valid ? "True" : "False",
    reason: valid ? "SpecValid" : "InvalidSpec",
    message: valid ? "the spec passed every check" : problemsMessage(problems),
    lastTransitionTime: before !== undefined && before.status === (valid ? "True" : "False") ? before.lastTransitionTime : now,
    observedGeneration: generation,
  };
  const phase: RolloutPhase | undefined = valid ? (stored?.phase === "InvalidSpec" ? fallbackPhase : stored?.phase) : "InvalidSpec";
  // A spec valid from the start needs no condition written: nothing to tell until it goes wrong.
  if (valid && before === undefined && stored?.phase !== "InvalidSpec") return null;
  if (before !== undefined && before.status === wanted.status && before.message === wanted.message && before.observedGeneration === generation && stored?.phase === phase) return null;
  const conditions = [...(stored?.conditions ?? []).filter((c) => c.type !== SpecValidCondition), wanted];
  const next: VMRolloutStatus = { ...(stored ?? {}), conditions };
  if (phase === undefined) delete next.phase;
  else next.phase = phase;
  if (!valid) next.message = `InvalidSpec: ${wanted.message}`.slice(0, 1024);
  else if (next.message?.startsWith("InvalidSpec: ")) delete next.message;
  return next;
}
