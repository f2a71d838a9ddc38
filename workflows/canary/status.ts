/** The VMRollout status (and Kubernetes Event) that describes a release in a given state. Pure. */
import type { PayloadOf } from "../../schemas/codec.js";
import type { Condition, RolloutPhase, VMRolloutStatus } from "../../schemas/rollout.js";
import { Command } from "../../schemas/subjects.js";
import type { WorkflowCommand } from "./commands.js";
import type { CanaryContext } from "./types.js";

/** Per state: the phase shown by kubectl, the Event reason, and whether it is bad news. */
const stateInfo: Record<string, { phase: RolloutPhase; reason: string; warning: boolean }> = {
  queued: { phase: "Progressing", reason: "Queued", warning: false },
  provisioning: { phase: "Progressing", reason: "Provisioning", warning: false },
  awaitingCanaryReady: { phase: "Progressing", reason: "AwaitingCanaryReady", warning: false },
  "step.enter": { phase: "Progressing", reason: "Stepping", warning: false },
  "step.awaitingApproval": { phase: "Progressing", reason: "AwaitingApproval", warning: false },
  "step.shifting": { phase: "Progressing", reason: "ShiftingTraffic", warning: false },
  "step.analyzing": { phase: "Progressing", reason: "Analyzing", warning: false },
  promoting: { phase: "Progressing", reason: "Promoting", warning: false },
  finalizing: { phase: "Promoted", reason: "Promoted", warning: false },
  succeeded: { phase: "Promoted", reason: "Succeeded", warning: false },
  paused: { phase: "Paused", reason: "Paused", warning: true },
  rollingBack: { phase: "Degraded", reason: "RollingBack", warning: true },
  rolledBack: { phase: "RolledBack", reason: "RolledBack", warning: true },
  aborted: { phase: "Aborted", reason: "Aborted", warning: true },
  superseded: { phase: "RolledBack", reason: "Superseded", warning: false },
  // `failed` ends a release before any traffic moved: nothing was rolled back.
  failed: { phase: "Failed", reason: "ReleaseFailed", warning: true },
};

const finalStates = new Set(["succeeded", "rolledBack", "aborted", "superseded", "failed"]);

/** The phase, reason and severity of a state (dotted path). */
export function describeState(state: string): { phase: RolloutPhase; reason: string; warning: boolean } {
  return stateInfo[state] ?? { phase: "Progressing", reason: "Progressing", warning: false };
}

function condition(type: string, status: boolean, reason: string, message: string, at: string): Condition {
  return { type, status: status ? "True" : "False", reason, message: message.slice(0, 1024), lastTransitionTime: at };
}

/** The status write for a release in `state` at `now`. */
export function statusWriteOf(ctx: CanaryContext, state: string, now: number): PayloadOf<typeof Command.statusWrite> {
  const invalidSpec = state === "failed" && ctx.planProblems.length > 0;
  const info = invalidSpec ? { phase: "InvalidSpec" as const, reason: "InvalidSpec", warning: true } : describeState(state);
  const at = new Date(now).toISOString();
  const final = finalStates.has(state);
  const degraded = state === "rollingBack" || state === "rolledBack" || state === "failed";
  const stableVersion = ctx.promoted ? ctx.version : ctx.stableVersion;
  const step = state.startsWith("step.") || state === "paused" ? { currentStep: ctx.stepIndex } : {};
  const status: VMRolloutStatus = {
    phase: info.phase,
    releaseId: ctx.releaseId,
    stableVersion,
    canaryVersion: ctx.version,
    canaryWeight: ctx.canaryWeight,
    ...step,
    state,
    message: ctx.lastReason.slice(0, 1024),
    lastVerdicts: ctx.lastVerdicts.map((v) => ({ metric: v.metric, verdict: v.verdict, reason: v.reason })),
    conditions: [
      condition("Progressing", !final, info.reason, ctx.lastReason, at),
      condition("Ready", state !== "rollingBack", state === "rollingBack" ? "RollingBack" : info.reason, ctx.lastReason, at),
      condition("Degraded", degraded, degraded ? info.reason : "Healthy", ctx.lastReason, at),
    ],
  };
  return {
    rollout: { namespace: ctx.rollout.namespace, name: ctx.rollout.name },
    status,
    event: { type: info.warning ? "Warning" : "Normal", reason: info.reason, message: ctx.lastReason.slice(0, 1024) || info.reason },
  };
}

/** The status write as a workflow command. */
export function statusWriteCommand(ctx: CanaryContext, state: string, now: number): WorkflowCommand {
  return { subject: Command.statusWrite, data: statusWriteOf(ctx, state, now) };
}
