/**
 * The machine's implementations, registered by name (`setup`). Each action is a pure effect
 * (`Fx`, see actions.ts) run inside `enqueueActions`: the patch is assigned and the commands are
 * enqueued as `emit*` actions carrying `{subject, data}`. The `emit*` actions do nothing when run:
 * `transition()` returns them and the host publishes them; the machine never does I/O.
 */
import { enqueueActions, setup } from "xstate";
import { effects } from "./actions.js";
import { commandAction, type CommandActionName, type WorkflowCommand } from "./commands.js";
import { initialContext } from "./context.js";
import type { Effect } from "./effect.js";
import * as g from "./guards.js";
import type { CanaryContext, CanaryInput, WorkflowEvent } from "./types.js";

type CmdAction = { type: CommandActionName; params: WorkflowCommand };
const noop = (_: unknown, _params: WorkflowCommand): void => {};

/** What `enqueueActions` gives us, narrowed to what effects need. */
interface Enqueue {
  (action: CmdAction): void;
  assign: (patch: Partial<CanaryContext>) => void;
}

/** Assign an effect's patch and enqueue its commands, in order. */
function run(enqueue: Enqueue, e: Effect): void {
  if (Object.keys(e.patch).length > 0) enqueue.assign(e.patch);
  for (const c of e.emit) enqueue(commandAction(c));
}

/** The canary machine's setup: types, guards and named actions. */
export const canarySetup = setup({
  types: {
    context: {} as CanaryContext,
    events: {} as WorkflowEvent,
    input: {} as CanaryInput,
  },
  guards: {
    planValid: ({ context, event }) => g.planValid(context, event),
    isQueued: ({ context, event }) => g.isQueued(context, event),
    canaryProvisioned: ({ context, event }) => g.canaryProvisioned(context, event),
    canaryBecameReady: ({ context, event }) => g.canaryBecameReady(context, event),
    provisionFailedRetryable: ({ context, event }) => g.provisionFailedRetryable(context, event),
    provisionFailedPermanent: ({ context, event }) => g.provisionFailedPermanent(context, event),
    provisionRetryDue: ({ context, event }) => g.provisionRetryDue(context, event),
    provisionDeadlinePassed: ({ context, event }) => g.provisionDeadlinePassed(context, event),
    canaryVmFailed: ({ context, event }) => g.canaryVmFailed(context, event),
    notCanaryVmFailed: ({ context, event }) => !g.canaryVmFailed(context, event),
    alertMatches: ({ context, event }) => g.alertMatches(context, event),
    analysisCritical: ({ context, event }) => g.analysisCritical(context, event),
    analysisRollsBack: ({ context, event }) => g.analysisRollsBack(context, event),
    analysisPauses: ({ context, event }) => g.analysisPauses(context, event),
    analysisForCanary: ({ context, event }) => g.analysisForCanary(context, event),
    needsApproval: ({ context, event }) => g.needsApproval(context, event),
    atStepWeight: ({ context, event }) => g.atStepWeight(context, event),
    approvalGranted: ({ context, event }) => g.approvalGranted(context, event),
    approvalDenied: ({ context, event }) => g.approvalDenied(context, event),
    approvalExpiredApprove: ({ context, event }) => g.approvalExpiredApprove(context, event),
    approvalExpiredReject: ({ context, event }) => g.approvalExpiredReject(context, event),
    weightsConfirmed: ({ context, event }) => g.weightsConfirmed(context, event),
    weightsFailedPermanent: ({ context, event }) => g.weightsFailedPermanent(context, event),
    weightsFailedRetryable: ({ context, event }) => g.weightsFailedRetryable(context, event),
    stallDeadlinePassed: ({ context, event }) => g.stallDeadlinePassed(context, event),
    atFullWeight: ({ context, event }) => g.atFullWeight(context, event),
    bakeDone: ({ context, event }) => g.bakeDone(context, event),
    bakeDoneLast: ({ context, event }) => g.bakeDoneLast(context, event),
    analysisSilent: ({ context, event }) => g.analysisSilent(context, event),
    canaryNotReadyTooLong: ({ context, event }) => g.canaryNotReadyTooLong(context, event),
    finalizeDue: ({ context, event }) => g.finalizeDue(context, event),
    rollbackAborted: ({ context }) => g.rollbackIs(context, "aborted"),
    rollbackSuperseded: ({ context }) => g.rollbackIs(context, "superseded"),
    rollbackConfirmed: ({ context, event }) => g.rollbackConfirmed(context, event),
    control: ({ event }, params: { action: "pause" | "resume" | "abort" | "promote" | "approve" | "reject" }) =>
      g.isControl(event, params.action),
  },
  actions: {
    emitProvision: noop,
    emitVmStop: noop,
    emitSetWeights: noop,
    emitAnalysisStart: noop,
    emitAnalysisStop: noop,
    emitApprovalRequest: noop,
    emitApprovalCancel: noop,
    emitNotify: noop,
    emitStatusWrite: noop,
    emitControl: noop,
    beginProvision: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.beginProvision(context, event))),
    provisioned: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.provisioned(context, event))),
    provisionFailedRetry: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.provisionFailedRetry(context, event))),
    retryProvision: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.retryProvision(context, event))),
    failRelease: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.failRelease(context, event))),
    markCanaryReady: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.markCanaryReady(context, event))),
    trackMigration: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.trackMigration(context, event))),
    startShift: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.startShift(context, event))),
    pumpWeights: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.pumpWeights(context, event))),
    confirmWeights: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.confirmWeights(context, event))),
    weightsFailed: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.weightsFailed(context, event))),
    startBake: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.startBake(context, event))),
    recordAnalysis: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.recordAnalysis(context, event))),
    advanceStep: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.advanceStep(context, event))),
    requestApproval: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.requestApproval(context, event))),
    approvalGranted: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.approvalGranted(context, event))),
    approvalDenied: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.approvalDenied(context, event))),
    approvalExpired: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.approvalExpired(context, event))),
    rollbackFastPath: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.rollbackFastPath(context, event))),
    rollbackOnAnalysis: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.rollbackOnAnalysis(context, event))),
    rollbackOnAbort: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.rollbackOnAbort(context, event))),
    rollbackOnSupersede: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.rollbackOnSupersede(context, event))),
    rollbackOnProvisionDeadline: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.rollbackOnProvisionDeadline(context, event))),
    rollbackOnStall: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.rollbackOnStall(context, event))),
    rollbackOnApprovalExpired: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.rollbackOnApprovalExpired(context, event))),
    rollbackOnNotReady: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.rollbackOnNotReady(context, event))),
    startRollback: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.startRollback(context, event))),
    finishRollback: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.finishRollback(context, event))),
    pauseByOperator: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.pauseByOperator(context, event))),
    pauseOnAnalysis: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.pauseOnAnalysis(context, event))),
    pauseOnSilence: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.pauseOnSilence(context, event))),
    resumeRelease: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.resumeRelease(context, event))),
    manualPromote: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.manualPromote(context, event))),
    startPromotion: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.startPromotion(context, event))),
    completePromotion: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.completePromotion(context, event))),
    finishSucceeded: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.finishSucceeded(context, event))),
    finishPromoted: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.finishPromoted(context, event))),
    finishRolledBack: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.finishRolledBack(context, event))),
    finishAborted: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.finishAborted(context, event))),
    finishSuperseded: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.finishSuperseded(context, event))),
    finishFailed: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.finishFailed(context, event))),
    finishAbortedQueued: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.finishAbortedQueued(context, event))),
    finishSupersededQueued: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.finishSupersededQueued(context, event))),
    queue: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.queue(context, event))),
    startQueued: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.startQueued(context, event))),
    ignoreControl: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.ignoreControl(context, event))),
    reassertWeights: enqueueActions(({ context, event, enqueue }) => run(enqueue, effects.reassertWeights(context, event))),
  },
});

/** Build the context from the input (kept here so the machine file is config only). */
export const contextFromInput = ({ input }: { input: CanaryInput }): CanaryContext => initialContext(input);
