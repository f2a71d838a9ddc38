/** Every action of the canary machine as a pure effect, by name. `setup.ts` registers them. */
import { resolvedOf } from "./context.js";
import { fx, type Fx } from "./effect.js";
import * as flow from "./effects-flow.js";
import * as step from "./effects-step.js";
import * as traffic from "./effects-traffic.js";
import * as vm from "./effects-vm.js";
import { seconds } from "./format.js";
import { analysisDecision } from "./guards.js";
import { fastPathReason } from "./reasons.js";
import type { CanaryContext, WorkflowEvent } from "./types.js";
import { Command } from "../../schemas/subjects.js";

const analysisReason = (ctx: CanaryContext, ev: WorkflowEvent): string => analysisDecision(ctx, ev)?.reason ?? "analysis";
const deadline = (ctx: CanaryContext): string => seconds(resolvedOf(ctx).progressDeadlineMs);

/** Run `first`, then record the analysis without overwriting the reason `first` gave. */
function thenRecord(first: Fx): Fx {
  return (ctx, ev) => {
    const a = first(ctx, ev);
    const b = step.recordAnalysisQuietly({ ...ctx, ...a.patch }, ev);
    return fx({ ...a.patch, ...b.patch }, [...a.emit, ...b.emit]);
  };
}

export const effects = {
  beginProvision: vm.beginProvision,
  provisioned: vm.provisioned,
  provisionFailedRetry: vm.provisionFailedRetry,
  retryProvision: vm.retryProvision,
  failRelease: vm.failRelease,
  markCanaryReady: vm.markCanaryReady,
  trackMigration: vm.trackMigration,
  startShift: step.startShift,
  pumpWeights: traffic.pumpWeights,
  confirmWeights: traffic.confirmWeights,
  weightsFailed: traffic.weightsFailed,
  startBake: step.startBake,
  recordAnalysis: step.recordAnalysis,
  advanceStep: step.advanceStep,
  requestApproval: step.requestApproval,
  approvalGranted: step.decideApproval("granted"),
  approvalDenied: step.decideApproval("denied"),
  approvalExpired: step.decideApproval("expired"),
  rollbackFastPath: traffic.beginRollback("rolledBack", fastPathReason),
  rollbackOnAnalysis: thenRecord(traffic.beginRollback("rolledBack", analysisReason)),
  rollbackOnAbort: traffic.beginRollback("aborted", fastPathReason),
  rollbackOnSupersede: traffic.beginRollback("superseded", fastPathReason),
  rollbackOnProvisionDeadline: traffic.beginRollback(
    "rolledBack",
    (ctx) => `canary VMI not Ready within ${deadline(ctx)} (progressDeadlineSeconds)`,
  ),
  rollbackOnStall: traffic.beginRollback(
    "rolledBack",
    (ctx) => `canary weight ${ctx.weights?.target ?? "?"} % not confirmed within ${deadline(ctx)} (progressDeadlineSeconds)`,
  ),
  rollbackOnApprovalExpired: traffic.beginRollback("rolledBack", (ctx) => {
    const rec = [...ctx.approvals].reverse().find((a) => a.decision === "expired");
    return `approval ${rec?.requestId ?? "?"} expired without a decision (onTimeout=reject)`;
  }),
  rollbackOnNotReady: traffic.beginRollback("rolledBack", (ctx) => `canary VMI not Ready for ${deadline(ctx)}`),
  startRollback: traffic.startRollback,
  finishRollback: traffic.finishRollback,
  pauseByOperator: flow.pauseRelease(fastPathReason),
  pauseOnAnalysis: thenRecord(flow.pauseRelease(analysisReason, "warning")),
  pauseOnSilence: flow.pauseRelease(
    (ctx) => `no analysis result for ${seconds(resolvedOf(ctx).intervalMs + resolvedOf(ctx).progressDeadlineMs)}; is metrics-analyzer running?`,
    "warning",
  ),
  resumeRelease: flow.resumeRelease,
  manualPromote: flow.manualPromote,
  startPromotion: flow.startPromotion,
  completePromotion: flow.completePromotion,
  finishSucceeded: flow.finishSucceeded,
  finishPromoted: flow.finish("promoted"),
  finishRolledBack: flow.finish("rolledBack"),
  finishAborted: flow.finish("aborted"),
  finishSuperseded: flow.finish("superseded"),
  finishFailed: flow.finish("failed"),
  finishAbortedQueued: (ctx, ev) => fx({ lastReason: `${fastPathReason(ctx, ev)} (before it started)`, lastActor: ev.type === Command.orchestratorControl ? ev.data.actor : ctx.lastActor }),
  finishSupersededQueued: (_ctx, ev) =>
    fx({ lastReason: `superseded by ${ev.type === "siskin.superseded" ? ev.by : "a newer release"} before it started` }),
  queue: (ctx, _ev) => fx({ lastReason: `queued behind ${ctx.queuedBehind ?? "?"}: it must finish before ${ctx.version} starts` }),
  startQueued: (ctx, ev) => {
    const stable = ev.type === "siskin.start" && ev.stableVersion !== undefined ? ev.stableVersion : ctx.stableVersion;
    return fx({
      queuedBehind: null,
      stableVersion: stable,
      lastReason: `${ctx.queuedBehind ?? "the previous release"} finished; starting against stable ${stable}`,
    });
  },
  ignoreControl: flow.ignoreControl("not in a state where this applies"),
  reassertWeights: flow.reassertWeights,
} satisfies Record<string, Fx>;
