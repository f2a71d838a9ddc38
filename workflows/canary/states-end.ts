/** Promotion, finalization, pause, rollback and the final states. */
import { canarySetup } from "./setup.js";
import { fastPathOn, forwardWeightsOn, watchAnalysisOn } from "./states-common.js";

const ROLLBACK = "#canary.rollingBack";
const abortOrIgnore = [
  { guard: { type: "control", params: { action: "abort" } }, target: ROLLBACK, actions: "rollbackOnAbort" },
  { actions: "ignoreControl" },
] as const;

export const promotingState = canarySetup.createStateConfig({
  entry: "startPromotion",
  on: {
    ...fastPathOn,
    ...watchAnalysisOn,
    ...forwardWeightsOn(undefined),
    "cmd.orchestrator.control": [...abortOrIgnore],
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
    "cmd.orchestrator.control": [...abortOrIgnore],
  },
  always: [{ guard: "finalizeDue", target: "succeeded", actions: "finishSucceeded" }],
});

export const pausedState = canarySetup.createStateConfig({
  on: {
    ...fastPathOn,
    ...watchAnalysisOn,
    "evt.traffic.weights_set": { guard: "weightsConfirmed", actions: "confirmWeights" },
    "cmd.orchestrator.control": [
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
    "evt.traffic.weights_set": { guard: "weightsConfirmed", actions: "confirmWeights" },
    "evt.traffic.weights_failed": { actions: "weightsFailed" },
    tick: { actions: "pumpWeights" },
    "siskin.superseded": { actions: "ignoreControl" },
    "cmd.orchestrator.control": { actions: "ignoreControl" },
  },
  always: [
    { guard: "rollbackAborted", target: "aborted", actions: "finishRollback" },
    { guard: "rollbackSuperseded", target: "superseded", actions: "finishRollback" },
    { guard: "rollbackConfirmed", target: "rolledBack", actions: "finishRollback" },
  ],
});
