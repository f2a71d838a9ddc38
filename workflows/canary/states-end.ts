/** Promotion, finalization, pause, rollback and the final states. */
import { canarySetup } from "./setup.js";
import { abortOrIgnore, fastPathOn, forwardWeightsOn, ROLLBACK, watchAnalysisOn } from "./states-common.js";
import { Event, Command } from "../../schemas/subjects.js";


export const promotingState = canarySetup.createStateConfig({
  entry: "startPromotion",
  on: {
    ...fastPathOn,
    ...watchAnalysisOn,
    ...forwardWeightsOn(undefined),
    [Command.orchestratorControl]: [...abortOrIgnore],
  },
  always: [
    { guard: "atFullWeight", target: "finalizing", actions: "completePromotion" },
    { guard: "stallDeadlinePassed", target: ROLLBACK, actions: "rollbackOnStall" },
  ],
});

/** Promoted; the old version stays up for the rollback window. A fast-path signal still rolls back. */
export const finalizingState = canarySetup.createStateConfig({
  on: {
    ...fastPathOn,
    "siskin.superseded": { target: "succeeded", actions: "finishSucceeded" },
    [Command.orchestratorControl]: [...abortOrIgnore],
  },
  always: [{ guard: "finalizeDue", target: "succeeded", actions: "finishSucceeded" }],
});

export const pausedState = canarySetup.createStateConfig({
  on: {
    ...fastPathOn,
    // As watchAnalysisOn, plus: a pause for silent analysis ends with the first result.
    [Event.analysisCompleted]: [
      { guard: "analysisRollsBack", target: ROLLBACK, actions: "rollbackOnAnalysis" },
      { guard: "silenceEnds", target: "step", actions: ["recordAnalysis", "resumeAfterSilence"] },
      { guard: "analysisForCanary", actions: "recordAnalysis" },
    ],
    [Event.trafficWeightsSet]: { guard: "weightsConfirmed", actions: "confirmWeights" },
    [Command.orchestratorControl]: [
      { guard: { type: "control", params: { action: "resume" } }, target: "step", actions: "resumeRelease" },
      { guard: { type: "control", params: { action: "promote" } }, target: "promoting", actions: "manualPromote" },
      ...abortOrIgnore,
    ],
  },
  always: [{ guard: "canaryNotReadyTooLong", target: ROLLBACK, actions: "rollbackOnNotReady" }],
});

/** All traffic back to stable; retried on ticks until confirmed, paging on-call on every failure. */
export const rollingBackState = canarySetup.createStateConfig({
  entry: "startRollback",
  on: {
    [Event.trafficWeightsSet]: { guard: "weightsConfirmed", actions: "confirmWeights" },
    [Event.trafficWeightsFailed]: { actions: "weightsFailed" },
    tick: { actions: "pumpWeights" },
    "siskin.superseded": { actions: "ignoreControl" },
    [Command.orchestratorControl]: { actions: "ignoreControl" },
  },
  always: [
    { guard: "rollbackAborted", target: "aborted", actions: "finishRollback" },
    { guard: "rollbackSuperseded", target: "superseded", actions: "finishRollback" },
    { guard: "rollbackConfirmed", target: "rolledBack", actions: "finishRollback" },
  ],
});
