/**
 * The canary workflow's input, events and context. Everything in the context is JSON-safe
 * (no undefined, no Date): it is the persisted state of a release, restored after any crash.
 * Time arrives only in events (`now`, epoch ms); deadlines are stored as epoch ms.
 */
import type { MetricVerdict } from "../../schemas/analysis.js";
import type { PayloadOf } from "../../schemas/codec.js";
import type { ReleaseOutcome, ReleaseRequested } from "../../schemas/release.js";
import type { RolloutRef, VMRolloutSpec } from "../../schemas/rollout.js";
import { Consumer, Event, type Subject } from "../../schemas/subjects.js";
import type { Problem } from "../../schemas/vm.js";
import type { Counters } from "./decide.js";

/** Who did something (a person or a component), as the schemas define it. */
export type Actor = ReleaseRequested["requestedBy"];

/** Subjects whose messages the machine accepts: what the orchestrator consumes, but the request that creates a release. */
export type AcceptedSubject =
  | Exclude<(typeof Consumer.orchestrator.filterSubjects)[number], typeof Event.releaseRequested>
  | (typeof Consumer.orchestratorControl.filterSubjects)[number];

/** {@link AcceptedSubject} as a list, derived from the consumer table in schemas/subjects.ts. */
export const acceptedSubjects: readonly AcceptedSubject[] = [
  ...Consumer.orchestrator.filterSubjects,
  ...Consumer.orchestratorControl.filterSubjects,
].filter((s): s is AcceptedSubject => s !== Event.releaseRequested);

/**
 * A decoded message as a machine event: flat, `type` is the subject. The host stamps `now`
 * (when it processed the message); the envelope's other fields ride along unused.
 */
export type MessageEvent<S extends Subject> = {
  type: S;
  data: PayloadOf<S>;
  now: number;
  id?: string;
  occurredAt?: string;
  releaseId?: string;
  causationId?: string;
};

/** The clock: sent by the ticker (every few seconds) to each live release. */
export interface TickEvent {
  type: "tick";
  now: number;
}
/** The host: a newer release of the same rollout took over. */
export interface SupersededEvent {
  type: "siskin.superseded";
  by: string;
  now: number;
}
/** The host: the release this one was queued behind has finished; start provisioning. */
export interface StartEvent {
  type: "siskin.start";
  now: number;
  /** The version serving now, when the release it waited for promoted its canary. */
  stableVersion?: string;
}

/** Every event the canary machine accepts. */
export type WorkflowEvent =
  | { [S in AcceptedSubject]: MessageEvent<S> }[AcceptedSubject]
  | TickEvent
  | SupersededEvent
  | StartEvent;

/** The machine's input: the request, its id and the time it was taken up. */
export interface CanaryInput {
  releaseId: string;
  request: ReleaseRequested;
  now: number;
  /** Set when another release of the rollout is still live: wait in `queued` until `siskin.start`. */
  queuedBehind?: string | null;
}

/** An outstanding request to the traffic-router. */
export interface WeightsRequest {
  target: number;
  /**
   * The plan step whose mirror or matched routes go with the weight (a mirror or matched step), or null
   * for plain weights (weight steps, promotion, rollback: Siskin's mirror and routes are removed).
   * Absent in snapshots written before mirror steps existed: read as null.
   */
  step: number | null;
  /** When the last command went out; null while frozen or before the first send. */
  sentAt: number | null;
  attempts: number;
  /** When to send again after a retryable failure. */
  retryAt: number | null;
  lastError: string | null;
}

/** An approval gate's request and its durable decision. */
export interface ApprovalRecord {
  requestId: string;
  step: number;
  requestedAt: number;
  expiresAt: number;
  onTimeout: "reject" | "approve";
  decision: "granted" | "denied" | "expired" | null;
  /** Who decided (absent for a timeout). */
  actor: Actor | null;
  at: number | null;
  comment: string | null;
  /** The allow-list sent with the request (absent in releases started before it was kept). */
  approvers?: { users: string[]; groups: string[] };
  /** Decisions refused because their actor is not on the allow-list: who, when, why. */
  refusals?: Array<{ actor: Actor; at: number; reason: string }>;
}

/** Why and how the release is rolling back, and which final state follows. */
export interface RollbackInfo {
  kind: "rolledBack" | "aborted" | "superseded";
  reason: string;
  startedAt: number;
  confirmed: boolean;
  actor: Actor | null;
  supersededBy: string | null;
}

/** The persisted state of one release. */
export interface CanaryContext {
  releaseId: string;
  rollout: RolloutRef;
  spec: VMRolloutSpec;
  /** The canary version. */
  version: string;
  /** The version serving before this release (the rollback target). */
  stableVersion: string;
  requestedBy: Actor;
  requestedAt: number;
  queuedBehind: string | null;
  /** Problems that make the plan invalid (the release fails at once). */
  planProblems: string[];
  provision: { startedAt: number; deadline: number; attempts: number; retryAt: number | null; problems: Problem[] } | null;
  canaryReady: boolean;
  notReadySince: number | null;
  stepIndex: number;
  /** The last canary weight the traffic-router confirmed. */
  canaryWeight: number;
  /**
   * The traffic shape the traffic-router last confirmed besides the weight (`mirror:100`, `match:…`,
   * "" for weights only; schemas/traffic.ts trafficShapeOf). Absent in older snapshots: read as "".
   */
  trafficShape: string;
  /** A non-zero weight was ever requested (rollback must then reset the routes). */
  trafficTouched: boolean;
  weights: WeightsRequest | null;
  /** The most the current shift (or promotion) may stall before rolling back. */
  stallDeadline: number | null;
  bake: { startedAt: number; until: number; passed: number } | null;
  counters: Counters;
  analysisStarted: boolean;
  lastAnalysisAt: number | null;
  lastVerdicts: MetricVerdict[];
  /** Live migrations in flight, by VMI `<ns>/<name>`. */
  migrations: Record<string, { version: string; startedAt: number }>;
  /** Finished migrations (latest 20), to neutralise analysis windows that overlapped them. */
  migrationWindows: Array<{ vmi: string; start: number; end: number }>;
  approvals: ApprovalRecord[];
  pendingApproval: string | null;
  promotedBy: Actor | null;
  promoted: boolean;
  /** Why and since when the release is paused; `silence`: paused because analysis went silent, and the next result resumes it. */
  paused: { from: string; reason: string; at: number; actor: Actor | null; silence?: boolean } | null;
  rollback: RollbackInfo | null;
  finalizeAt: number | null;
  lastReason: string;
  lastActor: Actor | null;
  outcome: ReleaseOutcome | null;
  completedAt: number | null;
}
