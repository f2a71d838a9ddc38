/** Payloads of operator commands, notifications, status writes and rollout facts. */
import { Type, type Static } from "typebox";
import { Actor, ObjectRef, Strict, StringEnum } from "./common.js";
import { VMRolloutSpec, VMRolloutStatus } from "./rollout.js";

/** Operator actions on a release. */
export const ControlAction = ["pause", "resume", "abort", "promote", "approve", "reject"] as const;
export type ControlAction = (typeof ControlAction)[number];

/** `cmd.orchestrator.control`. */
export const OrchestratorControl = Strict({
  action: StringEnum(ControlAction),
  actor: Actor,
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type OrchestratorControl = Static<typeof OrchestratorControl>;

/** Actions that speak for a person, so the actor must be authenticated by the channel (never self-declared). */
export const DecideAction = ["approve", "reject", "promote"] as const;
export type DecideAction = (typeof DecideAction)[number];

/** True when `action` needs an authenticated actor ({@link DecideAction}). */
export function isDecideAction(action: string): action is DecideAction {
  return (DecideAction as readonly string[]).includes(action);
}

/** `cmd.orchestrator.decide`: published only by workers that authenticated the actor. */
export const OrchestratorDecide = Strict({
  action: StringEnum(DecideAction),
  /** The person, as the channel authenticated them (e.g. the user a per-person API token maps to). */
  actor: Actor,
  /** Groups the channel says the person belongs to (from the token mapping), for the approver check. */
  groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 })),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type OrchestratorDecide = Static<typeof OrchestratorDecide>;

/** `cmd.notify.send`. */
export const NotifySend = Strict({
  severity: StringEnum(["info", "warning", "critical"] as const),
  text: Type.String({ minLength: 1, maxLength: 4000 }),
  channel: Type.Optional(Type.String()),
});
export type NotifySend = Static<typeof NotifySend>;

/** `cmd.status.write`: write a VMRollout's status, and a Kubernetes Event on it. */
export const StatusWrite = Strict({
  rollout: ObjectRef,
  status: VMRolloutStatus,
  event: Type.Optional(
    Strict({
      type: StringEnum(["Normal", "Warning"] as const),
      reason: Type.String({ minLength: 1, maxLength: 128 }),
      message: Type.String({ maxLength: 1024 }),
    }),
  ),
});
export type StatusWrite = Static<typeof StatusWrite>;

/** `evt.rollout.spec_changed`. */
export const RolloutSpecChanged = Strict({
  rollout: ObjectRef,
  generation: Type.Integer(),
  spec: VMRolloutSpec,
});
export type RolloutSpecChanged = Static<typeof RolloutSpecChanged>;

/** `evt.rollout.drift_detected`: someone else changed the managed weights. */
export const RolloutDriftDetected = Strict({
  rollout: ObjectRef,
  virtualService: Type.String(),
  expectedCanaryWeight: Type.Integer(),
  observedCanaryWeight: Type.Union([Type.Integer(), Type.Null()]),
  /** The field manager of the edit, when the API says. */
  editor: Type.Optional(Type.String()),
});
export type RolloutDriftDetected = Static<typeof RolloutDriftDetected>;

export { Actor };
