/** Transitions shared by several states: the fast path, analysis handling, weights handling. */
import { canarySetup } from "./setup.js";

const ROLLBACK = "#canary.rollingBack";

/** Fast path (no analysis): a matching alert or a failing canary VMI rolls back in the same transition. */
export const fastPathOn = canarySetup.createStateConfig({
  on: {
    "evt.alert.fired": { guard: "alertMatches", target: ROLLBACK, actions: "rollbackFastPath" },
    "evt.vm.crashed": { guard: "canaryVmFailed", target: ROLLBACK, actions: "rollbackFastPath" },
    "evt.vm.deleted": { guard: "canaryVmFailed", target: ROLLBACK, actions: "rollbackFastPath" },
    "evt.vm.phase_changed": { guard: "canaryVmFailed", target: ROLLBACK, actions: "rollbackFastPath" },
    "evt.vm.migration_failed": { guard: "canaryVmFailed", target: ROLLBACK, actions: ["trackMigration", "rollbackFastPath"] },
  },
}).on;

/** Analysis while traffic is live but no step is judged (paused, promoting): only rollbacks act. */
export const watchAnalysisOn = canarySetup.createStateConfig({
  on: {
    "evt.analysis.completed": [
      { guard: "analysisRollsBack", target: ROLLBACK, actions: "rollbackOnAnalysis" },
      { guard: "analysisForCanary", actions: "recordAnalysis" },
    ],
  },
}).on;

/** Analysis during the steps: the counted path (rollback, pause, or a recorded interval). */
export const stepAnalysisOn = canarySetup.createStateConfig({
  on: {
    "evt.analysis.completed": [
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
      "evt.traffic.weights_set": { guard: "weightsConfirmed", ...(confirmedTarget === undefined ? {} : { target: confirmedTarget }), actions: "confirmWeights" },
      "evt.traffic.weights_failed": [
        { guard: "weightsFailedPermanent", target: ROLLBACK, actions: ["weightsFailed", "rollbackFastPath"] },
        { guard: "weightsFailedRetryable", actions: "weightsFailed" },
      ],
      tick: { actions: "pumpWeights" },
      "evt.vm.migration_completed": { actions: ["trackMigration", "pumpWeights"] },
      "evt.vm.migration_failed": [
        { guard: "canaryVmFailed", target: ROLLBACK, actions: ["trackMigration", "rollbackFastPath"] },
        { actions: ["trackMigration", "pumpWeights"] },
      ],
    },
  }).on;
}

/** VM failures before any traffic: the canary never gets any. */
export const canaryVmOn = canarySetup.createStateConfig({
  on: {
    "evt.vm.crashed": { guard: "canaryVmFailed", target: ROLLBACK, actions: "rollbackFastPath" },
    "evt.vm.deleted": { guard: "canaryVmFailed", target: ROLLBACK, actions: "rollbackFastPath" },
    "evt.vm.phase_changed": { guard: "canaryVmFailed", target: ROLLBACK, actions: "rollbackFastPath" },
    "evt.vm.provision_failed": [
      { guard: "provisionFailedPermanent", target: "#canary.failed", actions: "failRelease" },
      { guard: "provisionFailedRetryable", actions: "provisionFailedRetry" },
    ],
    tick: { guard: "provisionRetryDue", actions: "retryProvision" },
    "evt.vm.ready_changed": { guard: "canaryBecameReady", target: "#canary.step", actions: "markCanaryReady" },
  },
}).on;
