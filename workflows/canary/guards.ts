/** Guards of the canary machine: pure predicates over (context, event). */
import type { MetricVerdict } from "../../schemas/analysis.js";
import type { ControlAction } from "../../schemas/control.js";
import { checkDecision, type ApproverCheck } from "../approval-policy.js";
import { decide, type Decision } from "./decide.js";
import { verdictsAtFullWeight } from "./full-weight.js";
import {
  confirmedShape,
  requestedShape,
  currentStep,
  isCanaryFact,
  isFrozen,
  limitsOf,
  migrationOverlapping,
  planOf,
  resolvedOf,
} from "./context.js";
import { isLast } from "./steps.js";
import type { CanaryContext, WorkflowEvent } from "./types.js";
import { Event, Command } from "../../schemas/subjects.js";

type G = (ctx: CanaryContext, ev: WorkflowEvent) => boolean;

/**
 * The verdicts as the workflow judges them: at canary weight 100 a metric inconclusive only for want of
 * stable traffic counts on its absolute bounds ({@link verdictsAtFullWeight}). What status, describe and
 * Slack show must be these, not the analyzer's raw ones.
 */
export function judgedVerdicts(ctx: CanaryContext, verdicts: readonly MetricVerdict[]): MetricVerdict[] {
  return ctx.canaryWeight === 100 ? verdictsAtFullWeight(verdicts, resolvedOf(ctx).minRequests) : [...verdicts];
}

/** The decision an analysis result leads to, or null when the event is not one for this canary. */
export function analysisDecision(ctx: CanaryContext, ev: WorkflowEvent): Decision | null {
  if (ev.type !== Event.analysisCompleted || ev.data.canaryVersion !== ctx.version) return null;
  const migration = migrationOverlapping(ctx, ev.data.windowStart, ev.data.windowEnd);
  return decide({ verdicts: judgedVerdicts(ctx, ev.data.verdicts), counters: ctx.counters, limits: limitsOf(ctx), migration });
}

export const planValid: G = (ctx) => ctx.planProblems.length === 0;
export const isQueued: G = (ctx) => ctx.queuedBehind !== null;

export const canaryProvisioned: G = (ctx, ev) => ev.type === Event.vmProvisioned && ev.data.version === ctx.version;
export const canaryBecameReady: G = (ctx, ev) => ev.type === Event.vmReadyChanged && ev.data.ready && isCanaryFact(ctx, ev.data);
export const provisionFailedRetryable: G = (ctx, ev) =>
  ev.type === Event.vmProvisionFailed && ev.data.version === ctx.version && ev.data.retryable;
export const provisionFailedPermanent: G = (ctx, ev) =>
  ev.type === Event.vmProvisionFailed && ev.data.version === ctx.version && !ev.data.retryable;
export const provisionRetryDue: G = (ctx, ev) =>
  ctx.provision !== null && ctx.provision.retryAt !== null && ev.now >= ctx.provision.retryAt;
export const provisionDeadlinePassed: G = (ctx, ev) => ctx.provision !== null && ev.now > ctx.provision.deadline;

/** The canary VMI is gone or broken: crashed, deleted, phase Failed, or its migration failed. */
export const canaryVmFailed: G = (ctx, ev) => {
  switch (ev.type) {
    case Event.vmCrashed:
    case Event.vmDeleted:
    case Event.vmMigrationFailed:
      return isCanaryFact(ctx, ev.data);
    case Event.vmPhaseChanged:
      return ev.data.phase === "Failed" && isCanaryFact(ctx, ev.data);
    default:
      return false;
  }
};

/** A firing alert for this rollout that names the canary version or no version. */
export const alertMatches: G = (ctx, ev) =>
  ev.type === Event.alertFired &&
  ev.data.rollout.namespace === ctx.rollout.namespace &&
  ev.data.rollout.name === ctx.rollout.name &&
  (ev.data.version === undefined || ev.data.version === ctx.version);

export const analysisRollsBack: G = (ctx, ev) => analysisDecision(ctx, ev)?.action === "rollback";
export const analysisPauses: G = (ctx, ev) => analysisDecision(ctx, ev)?.action === "pause";
export const analysisForCanary: G = (ctx, ev) => analysisDecision(ctx, ev) !== null;
/** Paused for silent analysis, and a result for the canary came in. */
export const silenceEnds: G = (ctx, ev) => ctx.paused?.silence === true && analysisForCanary(ctx, ev);

/** The current step has a gate that no decision has opened yet. */
export const needsApproval: G = (ctx) => {
  const step = currentStep(ctx);
  if (step.approval === null) return false;
  return !ctx.approvals.some(
    (a) => a.step === step.index && (a.decision === "granted" || (a.decision === "expired" && a.onTimeout === "approve")),
  );
};
export const atStepWeight: G = (ctx) =>
  ctx.weights === null && ctx.canaryWeight === currentStep(ctx).weight && confirmedShape(ctx) === currentStep(ctx).shape;

function pendingMatches(ctx: CanaryContext, requestId: string): boolean {
  return ctx.pendingApproval !== null && ctx.pendingApproval === requestId;
}
/**
 * The approval-policy check of a decision on the pending request (null when the event is not one):
 * the gateway already refused non-approvers; this is the last guard against a gateway that did not.
 */
export function decisionCheck(ctx: CanaryContext, ev: WorkflowEvent): ApproverCheck | null {
  if (ev.type !== Event.approvalGranted && ev.type !== Event.approvalDenied) return null;
  if (!pendingMatches(ctx, ev.data.requestId)) return null;
  const approvers = pendingRecord(ctx)?.approvers ?? resolvedOf(ctx).approvers;
  return checkDecision(ev.data.actor, approvers, ev.data.via);
}
export const approvalGranted: G = (ctx, ev) => ev.type === Event.approvalGranted && decisionCheck(ctx, ev)?.allowed === true;
export const approvalDenied: G = (ctx, ev) => ev.type === Event.approvalDenied && decisionCheck(ctx, ev)?.allowed === true;
/** A decision on the pending request by someone the allow-list does not name: recorded, not applied. */
export const approvalRefused: G = (ctx, ev) => decisionCheck(ctx, ev)?.allowed === false;
export function pendingRecord(ctx: CanaryContext) {
  return ctx.approvals.find((a) => a.requestId === ctx.pendingApproval) ?? null;
}
/** The request expired (gateway's event or our own clock) and the policy says approve / reject. */
export const approvalExpiredApprove: G = (ctx, ev) => expired(ctx, ev) && pendingRecord(ctx)?.onTimeout === "approve";
export const approvalExpiredReject: G = (ctx, ev) => expired(ctx, ev) && pendingRecord(ctx)?.onTimeout !== "approve";
function expired(ctx: CanaryContext, ev: WorkflowEvent): boolean {
  const rec = pendingRecord(ctx);
  if (rec === null) return false;
  if (ev.type === Event.approvalExpired) return ev.data.requestId === rec.requestId;
  return ev.type === "tick" && ev.now >= rec.expiresAt;
}

/** An operator command with this action. */
export function isControl(ev: WorkflowEvent, action: ControlAction): boolean {
  return ev.type === Command.orchestratorControl && ev.data.action === action;
}

/** The traffic event answers the outstanding request: same weight and same mirror/match shape. */
function answersRequest(ctx: CanaryContext, data: { canaryWeight: number; shape?: string | undefined }): boolean {
  return ctx.weights !== null && data.canaryWeight === ctx.weights.target && (data.shape ?? "") === requestedShape(ctx, ctx.weights);
}
export const weightsConfirmed: G = (ctx, ev) => ev.type === Event.trafficWeightsSet && answersRequest(ctx, ev.data);
export const weightsFailedPermanent: G = (ctx, ev) => ev.type === Event.trafficWeightsFailed && answersRequest(ctx, ev.data) && !ev.data.retryable;
export const weightsFailedRetryable: G = (ctx, ev) => ev.type === Event.trafficWeightsFailed && answersRequest(ctx, ev.data) && ev.data.retryable;
export const stallDeadlinePassed: G = (ctx, ev) =>
  ctx.weights !== null && ctx.stallDeadline !== null && !isFrozen(ctx) && ev.now > ctx.stallDeadline;
export const atFullWeight: G = (ctx) => ctx.weights === null && ctx.canaryWeight === 100;

/** The step baked long enough with enough consecutive passing intervals. */
export const bakeDone: G = (ctx, ev) =>
  ctx.bake !== null && ctx.canaryReady && ctx.bake.passed >= currentStep(ctx).bakeIntervals && ev.now >= ctx.bake.until;
export const bakeDoneLast: G = (ctx, ev) => bakeDone(ctx, ev) && isLast(planOf(ctx), ctx.stepIndex);

/** No analysis result for an interval plus the progress deadline: the analyzer is not working. */
export const analysisSilent: G = (ctx, ev) => {
  if (ctx.bake === null || ev.type !== "tick") return false;
  const r = resolvedOf(ctx);
  const since = Math.max(ctx.lastAnalysisAt ?? 0, ctx.bake.startedAt);
  return ev.now > since + r.intervalMs + r.progressDeadlineMs;
};

/** The canary VMI lost Ready and stayed so for the progress deadline (a migration excuses it). */
export const canaryNotReadyTooLong: G = (ctx, ev) =>
  !ctx.canaryReady &&
  ctx.notReadySince !== null &&
  !Object.values(ctx.migrations).some((m) => m.version === ctx.version) &&
  ev.now > ctx.notReadySince + resolvedOf(ctx).progressDeadlineMs;

export const finalizeDue: G = (ctx, ev) => ctx.finalizeAt !== null && ev.now >= ctx.finalizeAt;
export const rollbackConfirmed: G = (ctx) => ctx.rollback !== null && ctx.rollback.confirmed;
export const rollbackIs = (ctx: CanaryContext, kind: "rolledBack" | "aborted" | "superseded"): boolean =>
  rollbackConfirmed(ctx, { type: "tick", now: 0 }) && ctx.rollback?.kind === kind;

/** Every guard the chart names (beside `control`, which takes params), as setup.ts registers them. */
export const guards = {
  planValid,
  silenceEnds,
  isQueued,
  canaryProvisioned,
  canaryBecameReady,
  provisionFailedRetryable,
  provisionFailedPermanent,
  provisionRetryDue,
  provisionDeadlinePassed,
  canaryVmFailed,
  alertMatches,
  analysisRollsBack,
  analysisPauses,
  analysisForCanary,
  needsApproval,
  atStepWeight,
  approvalGranted,
  approvalDenied,
  approvalRefused,
  approvalExpiredApprove,
  approvalExpiredReject,
  weightsConfirmed,
  weightsFailedPermanent,
  weightsFailedRetryable,
  stallDeadlinePassed,
  atFullWeight,
  bakeDone,
  bakeDoneLast,
  analysisSilent,
  canaryNotReadyTooLong,
  finalizeDue,
  rollbackAborted: (ctx) => rollbackIs(ctx, "aborted"),
  rollbackSuperseded: (ctx) => rollbackIs(ctx, "superseded"),
  rollbackConfirmed,
} satisfies Record<string, G>;
