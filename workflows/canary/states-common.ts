/** Transitions shared by several states: the fast path, analysis handling, weights handling. */
import { canarySetup } from "./setup.js";
import { Event } from "../../schemas/subjects.js";

/** Where every rollback goes. */
export const ROLLBACK = "#canary.rollingBack";

/** An operator's abort: roll back from wherever the release is (the root, the steps, promotion, finalization, pause). */
export const abortToRollback = { guard: { type: "control", params: { action: "abort" } }, target: ROLLBACK, actions: "rollbackOnAbort" } as const;

/** Abort rolls back; any other control is ignored here. */
export const abortOrIgnore = [abortToRollback, { actions: "ignoreControl" }] as const;

/** A failing canary VMI (crashed, deleted, Failed phase) rolls back, with or without traffic. */
const canaryVmFailedOn = {
  [Event.vmCrashed]: { guard: "canaryVmFailed", target: ROLLBACK, actions: "rollbackFastPath" },
  [Event.vmDeleted]: { guard: "canaryVmFailed", target: ROLLBACK, actions: "rollbackFastPath" },
  [Event.vmPhaseChanged]: { guard: "canaryVmFailed", target: ROLLBACK, actions: "rollbackFastPath" },
} as const;

/** Fast path (no analysis): a matching alert or a failing canary VMI rolls back in the same transition. */
export const fastPathOn = canarySetup.createStateConfig({
  on: {
    [Event.alertFired]: { guard: "alertMatches", target: ROLLBACK, actions: "rollbackFastPath" },
    ...canaryVmFailedOn,
    [Event.vmMigrationFailed]: { guard: "canaryVmFailed", target: ROLLBACK, actions: ["trackMigration", "rollbackFastPath"] },
  },
}).on;

/** Analysis while traffic is live but no step is judged (paused, promoting): only rollbacks act. */
export const watchAnalysisOn = canarySetup.createStateConfig({
  on: {
    [Event.analysisCompleted]: [
      { guard: "analysisRollsBack", target: ROLLBACK, actions: "rollbackOnAnalysis" },
      { guard: "analysisForCanary", actions: "recordAnalysis" },
    ],
  },
}).on;

/** Analysis during the steps: the counted path (rollback, pause, or a recorded interval). */
export const stepAnalysisOn = canarySetup.createStateConfig({
  on: {
    [Event.analysisCompleted]: [
      { guard: "analysisRollsBack", target: ROLLBACK, actions: "rollbackOnAnalysis" },
      { guard: "analysisPauses", target: "#canary.paused", actions: "pauseOnAnalysis" },
      { guard: "analysisForCanary", actions: "recordAnalysis" },
    ],
  },
}).on;

/** A forward weights request in flight: confirmations, failures, retries, unfreezing. */
export function forwardWeightsOn(confirmedTarget: string | undefined) {
  return canarySetup.createStateConfig({
    on: {
      [Event.trafficWeightsSet]: { guard: "weightsConfirmed", ...(confirmedTarget === undefined ? {} : { target: confirmedTarget }), actions: "confirmWeights" },
      [Event.trafficWeightsFailed]: [
        { guard: "weightsFailedPermanent", target: ROLLBACK, actions: ["weightsFailed", "rollbackFastPath"] },
        { guard: "weightsFailedRetryable", actions: "weightsFailed" },
      ],
      tick: { actions: "pumpWeights" },
      [Event.vmMigrationCompleted]: { actions: ["trackMigration", "pumpWeights"] },
      [Event.vmMigrationFailed]: [
        { guard: "canaryVmFailed", target: ROLLBACK, actions: ["trackMigration", "rollbackFastPath"] },
        { actions: ["trackMigration", "pumpWeights"] },
      ],
    },
  }).on;
}

/** VM failures before any traffic: the canary never gets any. */
export const canaryVmOn = canarySetup.createStateConfig({
  on: {
    ...canaryVmFailedOn,
    [Event.vmProvisionFailed]: [
      { guard: "provisionFailedPermanent", target: "#canary.failed", actions: "failRelease" },
      { guard: "provisionFailedRetryable", actions: "provisionFailedRetry" },
    ],
    tick: { guard: "provisionRetryDue", actions: "retryProvision" },
    [Event.vmReadyChanged]: { guard: "canaryBecameReady", target: "#canary.step", actions: "markCanaryReady" },
  },
}).on;
