/** The `step` state: per step an optional approval gate, the shift, then the bake under analysis. */
import { canarySetup } from "./setup.js";
import { abortToRollback, fastPathOn, forwardWeightsOn, ROLLBACK, stepAnalysisOn } from "./states-common.js";
import { Event, Command } from "../../schemas/subjects.js";

export const stepState = canarySetup.createStateConfig({
  initial: "enter",
  on: {
    ...fastPathOn,
    ...stepAnalysisOn,
    [Command.orchestratorControl]: [
      { guard: { type: "control", params: { action: "pause" } }, target: "#canary.paused", actions: "pauseByOperator" },
      { guard: { type: "control", params: { action: "promote" } }, target: "#canary.promoting", actions: "manualPromote" },
      abortToRollback,
      { actions: "ignoreControl" },
    ],
    [Event.rolloutDriftDetected]: { actions: "reassertWeights" },
  },
  always: [{ guard: "canaryNotReadyTooLong", target: ROLLBACK, actions: "rollbackOnNotReady" }],
  states: {
    /** Transient: pick the gate, the shift, or (weight already there, e.g. after resume) the bake. */
    enter: {
      always: [
        { guard: "needsApproval", target: "awaitingApproval" },
        { guard: "atStepWeight", target: "analyzing" },
        { target: "shifting" },
      ],
    },
    awaitingApproval: {
      entry: "requestApproval",
      on: {
        [Event.approvalGranted]: [
          { guard: "approvalGranted", target: "enter", actions: "approvalGranted" },
          { guard: "approvalRefused", actions: "refuseApproval" },
        ],
        [Event.approvalDenied]: [
          { guard: "approvalDenied", target: ROLLBACK, actions: ["approvalDenied", "rollbackFastPath"] },
          { guard: "approvalRefused", actions: "refuseApproval" },
        ],
        [Event.approvalExpired]: [
          { guard: "approvalExpiredApprove", target: "enter", actions: "approvalExpired" },
          { guard: "approvalExpiredReject", target: ROLLBACK, actions: ["approvalExpired", "rollbackOnApprovalExpired"] },
        ],
        tick: [
          { guard: "approvalExpiredApprove", target: "enter", actions: "approvalExpired" },
          { guard: "approvalExpiredReject", target: ROLLBACK, actions: ["approvalExpired", "rollbackOnApprovalExpired"] },
        ],
        [Command.orchestratorControl]: [
          { guard: { type: "control", params: { action: "approve" } }, target: "enter", actions: "approvalGranted" },
          { guard: { type: "control", params: { action: "reject" } }, target: ROLLBACK, actions: ["approvalDenied", "rollbackFastPath"] },
        ],
      },
    },
    shifting: {
      entry: "startShift",
      on: forwardWeightsOn("analyzing"),
      always: [{ guard: "stallDeadlinePassed", target: ROLLBACK, actions: "rollbackOnStall" }],
    },
    analyzing: {
      entry: "startBake",
      on: {
        tick: { guard: "analysisSilent", target: "#canary.paused", actions: "pauseOnSilence" },
      },
      always: [
        { guard: "bakeDoneLast", target: "#canary.promoting" },
        { guard: "bakeDone", target: "enter", actions: "advanceStep" },
      ],
    },
  },
});
