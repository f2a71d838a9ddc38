/** Payloads of `cmd.approval.*` and `evt.approval.*`. */
import { Type, type Static } from "typebox";
import { Actor, EpochMs, Strict, StringEnum } from "./common.js";
import { RolloutRef } from "./rollout.js";
import { VerdictSummary } from "./release.js";

/** `cmd.approval.request`: ask the approvers before a step. */
export const ApprovalRequest = Strict({
  /** Unique per release and gate: `<step>-<attempt>`. */
  requestId: Type.String({ minLength: 1, maxLength: 100 }),
  rollout: RolloutRef,
  version: Type.String(),
  step: Type.Integer({ minimum: 0 }),
  /** The weight the canary goes to once approved. */
  toWeight: Type.Integer({ minimum: 0, maximum: 100 }),
  fromWeight: Type.Integer({ minimum: 0, maximum: 100 }),
  verdicts: Type.Array(VerdictSummary),
  approvers: Strict({ users: Type.Array(Type.String()), groups: Type.Array(Type.String()) }),
  expiresAt: EpochMs,
  onTimeout: StringEnum(["reject", "approve"] as const),
  channel: Type.Optional(Type.String()),
  dashboardUrl: Type.Optional(Type.String()),
});
export type ApprovalRequest = Static<typeof ApprovalRequest>;

/** `cmd.approval.cancel`: the release moved on; close the request. */
export const ApprovalCancel = Strict({ requestId: Type.String(), reason: Type.String() });
export type ApprovalCancel = Static<typeof ApprovalCancel>;

/** `evt.approval.requested`: the request is posted. */
export const ApprovalRequested = Strict({
  requestId: Type.String(),
  channel: Type.String(),
  /** Slack message timestamp. */
  ts: Type.String(),
});
export type ApprovalRequested = Static<typeof ApprovalRequested>;

/** `evt.approval.granted` / `evt.approval.denied`. */
export const ApprovalDecision = Strict({
  requestId: Type.String(),
  actor: Actor,
  /**
   * How the gateway found the actor on the request's approvers: `user` (listed by id) or
   * `group:<id>` (a member of that listed group). The workflow checks it against the request.
   */
  via: Type.Optional(Type.String({ pattern: "^(user|group:.+)$", maxLength: 200 })),
  /** When the decision was made (ms). */
  at: EpochMs,
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type ApprovalDecision = Static<typeof ApprovalDecision>;

/** `evt.approval.expired`. */
export const ApprovalExpired = Strict({
  requestId: Type.String(),
  /** What the timeout meant. */
  policy: StringEnum(["reject", "approve"] as const),
});
export type ApprovalExpired = Static<typeof ApprovalExpired>;
