/**
 * The canary statechart: one instance per release. No `after` timers and no invoked actors:
 * deadlines live in the context as epoch ms and are checked on `tick {now}` (and on any event,
 * since every event carries `now`), so a persisted snapshot restores completely.
 *
 *   start → (queued) → provisioning → awaitingCanaryReady → step[i]: (awaitingApproval) → shifting
 *   → analyzing → … → promoting → finalizing → succeeded; rollingBack → rolledBack | aborted |
 *   superseded from every live state; paused; failed (invalid plan, permanent provisioning failure).
 */
import { not } from "xstate";
import { canarySetup, contextFromInput } from "./setup.js";
import { abortOrIgnore, canaryVmOn } from "./states-common.js";
import { finalizingState, pausedState, promotingState, rollingBackState } from "./states-end.js";
import { stepState } from "./states-step.js";
import { Event, Command } from "../../schemas/subjects.js";

export const canaryMachine = canarySetup.createMachine({
  id: "canary",
  context: contextFromInput,
  initial: "start",
  on: {
    [Event.vmReadyChanged]: { actions: "markCanaryReady" },
    [Event.vmMigrationStarted]: { actions: "trackMigration" },
    [Event.vmMigrationCompleted]: { actions: "trackMigration" },
    [Event.vmMigrationFailed]: { actions: "trackMigration" },
    "siskin.superseded": { target: ".rollingBack", actions: "rollbackOnSupersede" },
    [Command.orchestratorControl]: [...abortOrIgnore],
  },
  states: {
    /** Transient: an invalid plan fails at once; a release behind a live one queues. */
    start: {
      always: [
        { guard: not("planValid"), target: "failed", actions: "failRelease" },
        { guard: "isQueued", target: "queued", actions: "queue" },
        { target: "provisioning" },
      ],
    },
    queued: {
      on: {
        "siskin.start": { target: "provisioning", actions: "startQueued" },
        "siskin.superseded": { target: "superseded", actions: "finishSupersededQueued" },
        [Command.orchestratorControl]: [
          { guard: { type: "control", params: { action: "abort" } }, target: "aborted", actions: "finishAbortedQueued" },
          { actions: "ignoreControl" },
        ],
      },
    },
    provisioning: {
      entry: "beginProvision",
      on: {
        ...canaryVmOn,
        [Event.vmProvisioned]: { guard: "canaryProvisioned", target: "awaitingCanaryReady", actions: "provisioned" },
      },
      always: [{ guard: "provisionDeadlinePassed", target: "rollingBack", actions: "rollbackOnProvisionDeadline" }],
    },
    awaitingCanaryReady: {
      on: canaryVmOn,
      always: [{ guard: "provisionDeadlinePassed", target: "rollingBack", actions: "rollbackOnProvisionDeadline" }],
    },
    step: stepState,
    promoting: promotingState,
    finalizing: finalizingState,
    paused: pausedState,
    rollingBack: rollingBackState,
    succeeded: { type: "final", entry: "finishPromoted" },
    rolledBack: { type: "final", entry: "finishRolledBack" },
    aborted: { type: "final", entry: "finishAborted" },
    superseded: { type: "final", entry: "finishSuperseded" },
    failed: { type: "final", entry: "finishFailed" },
  },
});

export type CanaryMachine = typeof canaryMachine;
