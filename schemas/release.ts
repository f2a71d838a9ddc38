/** Payloads of `cmd.orchestrator.release` and `evt.release.*`. */
import { Type, type Static } from "typebox";
import { Actor, K8sName, K8sNamespace, ReleaseId, Strict, StringEnum, Version } from "./common.js";
import { RolloutRef, VMRolloutSpec } from "./rollout.js";

/** What a release request and the accepted release both say besides the rollout. */
const requestFields = {
  /** The version to release (the tag, or its semver part); it must match the rollout's `versionPattern`. */
  version: Version,
  /** The Git tag, e.g. `v2.3.0`. */
  tag: Type.Optional(Type.String({ maxLength: 255 })),
  /** The tagged commit SHA. */
  commit: Type.Optional(Type.String({ pattern: "^[0-9a-f]{7,64}$" })),
  /** `owner/name` of the repository. */
  repository: Type.Optional(Type.String({ maxLength: 200 })),
  requestedBy: Actor,
  /** Idempotency key: a redelivery with the same key starts nothing new (a signed push's key, the API's `Idempotency-Key`). */
  idempotencyKey: Type.String({ minLength: 1, maxLength: 200 }),
};

/**
 * `cmd.orchestrator.release`: someone asks for `version` of a rollout (a Git tag, the API, the CLI).
 * It names the rollout and the version, nothing else that matters: the orchestrator reads the spec
 * from the VMRollout on the API server, so no publisher can bring its own.
 */
export const ReleaseRequest = Strict({
  rollout: Strict({ namespace: K8sNamespace, name: K8sName }),
  ...requestFields,
});
export type ReleaseRequest = Static<typeof ReleaseRequest>;

/**
 * `evt.release.requested`: the orchestrator accepted a {@link ReleaseRequest} and starts releasing
 * `version`. Only the orchestrator publishes it (NATS permissions), after reading `spec` from the
 * VMRollout at `rollout.generation`.
 */
export const ReleaseRequested = Strict({
  rollout: RolloutRef,
  /** The VMRollout's spec as the API server had it at `rollout.generation`; the release follows it to the end. */
  spec: VMRolloutSpec,
  ...requestFields,
});
export type ReleaseRequested = Static<typeof ReleaseRequested>;

/** `evt.release.superseded`: a newer release of the same rollout took over. */
export const ReleaseSuperseded = Strict({
  /** The newer release. */
  by: ReleaseId,
});
export type ReleaseSuperseded = Static<typeof ReleaseSuperseded>;

/** One metric verdict, as shown to people. */
export const VerdictSummary = Strict({
  metric: Type.String(),
  verdict: StringEnum(["pass", "fail", "inconclusive", "error"] as const),
  reason: Type.String(),
});

/** `evt.release.progressed`: the statechart moved. */
export const ReleaseProgressed = Strict({
  /** State before (dotted path, e.g. `step.analyzing`). */
  from: Type.String(),
  /** State after. */
  to: Type.String(),
  /** The event that caused it (subject or `tick`). */
  event: Type.String(),
  /** Why, in one sentence. */
  reason: Type.String(),
  /** Step index (0-based), when in a step. */
  step: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Canary weight now. */
  weight: Type.Integer({ minimum: 0, maximum: 100 }),
  /** Latest verdicts. */
  verdicts: Type.Optional(Type.Array(VerdictSummary)),
  actor: Type.Optional(Actor),
  /** Position in the release's audit history. */
  seq: Type.Integer({ minimum: 0 }),
});
export type ReleaseProgressed = Static<typeof ReleaseProgressed>;

/** Final outcomes of a release. */
export const ReleaseOutcome = ["promoted", "rolledBack", "aborted", "superseded", "failed"] as const;
export type ReleaseOutcome = (typeof ReleaseOutcome)[number];

/** `evt.release.completed`. */
export const ReleaseCompleted = Strict({
  outcome: StringEnum(ReleaseOutcome),
  reason: Type.String(),
  /** From the request to the outcome. */
  durationMs: Type.Integer({ minimum: 0 }),
  approvedBy: Type.Optional(Type.Array(Actor)),
});
export type ReleaseCompleted = Static<typeof ReleaseCompleted>;
