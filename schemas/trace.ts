/**
 * The replay trace format (`siskin replay <trace.json>`): a rollout, the version to release, and
 * what the world did, in time order. Times are seconds after the start (or RFC 3339). The replay
 * runs the real statechart, host and judge against it with a simulated clock. See docs/replay.md.
 */
import { Type, type Static } from "typebox";
import { MetricSample } from "./analysis.js";
import { K8sName, K8sNamespace, Strict, StringEnum, StringMap, Version } from "./common.js";
import { ControlAction } from "./control.js";
import { VMRolloutSpec } from "./rollout.js";

/**
 * A time relative to a step: `after` (default `0s`) once the live release's step `step` (1-based) has
 * its weight confirmed, i.e. when that step's bake starts.
 */
export const TraceStepAt = Strict({
  step: Type.Integer({ minimum: 1, maximum: 100 }),
  after: Type.Optional(Type.String({ pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m)$", description: "A duration: `500ms`, `10s`, `2m`." })),
});
export type TraceStepAt = Static<typeof TraceStepAt>;

/** When something happens: seconds after the start, an RFC 3339 time, or relative to a step. */
export const TraceAt = Type.Union([Type.Number({ minimum: 0 }), Type.String({ format: "date-time" }), TraceStepAt], {
  description: "Seconds after the start, an RFC 3339 time, or {step, after} relative to a step.",
});

/** `canary`, `stable`, or an explicit version. */
const WhichVersion = Type.String({ minLength: 1, maxLength: 63, description: "`canary`, `stable`, or a version." });

/** A VMI fact (or the provisioner's failure). */
export const TraceVmEvent = Strict({
  at: TraceAt,
  kind: Type.Literal("vm"),
  event: StringEnum([
    "ready",
    "not_ready",
    "crashed",
    "deleted",
    "failed",
    "migration_started",
    "migration_completed",
    "migration_failed",
    "provision_failed",
  ] as const),
  /** Whose VMI (default `canary`). */
  version: Type.Optional(WhichVersion),
  /** VMI name (default `<service>-<version>`). */
  vmi: Type.Optional(K8sName),
  reason: Type.Optional(Type.String()),
  /** provision_failed: may a retry help (default false). */
  retryable: Type.Optional(Type.Boolean()),
});

/**
 * What the metrics are from `at` on, until the next metrics entry: each analysis window that
 * ends after `at` is judged on these samples. A metric missing here has no data.
 */
export const TraceMetricsEvent = Strict({
  at: TraceAt,
  kind: Type.Literal("metrics"),
  canary: Type.Record(Type.String(), MetricSample),
  stable: Type.Optional(Type.Record(Type.String(), MetricSample)),
  /** Metrics whose query fails, with the error text. */
  errors: Type.Optional(Type.Record(Type.String(), Type.String())),
});

/** An Alertmanager alert mapped to the rollout. */
export const TraceAlertEvent = Strict({
  at: TraceAt,
  kind: Type.Literal("alert"),
  alertname: Type.String({ minLength: 1 }),
  /** Default `firing`. */
  status: Type.Optional(StringEnum(["firing", "resolved"] as const)),
  /** The version the alert names (`canary`, `stable`, a version); omit for none. */
  version: Type.Optional(WhichVersion),
  labels: Type.Optional(StringMap),
  summary: Type.Optional(Type.String()),
});

/** A decision on the pending approval request. */
export const TraceApprovalEvent = Strict({
  at: TraceAt,
  kind: Type.Literal("approval"),
  decision: StringEnum(["granted", "denied", "expired"] as const),
  /**
   * Slack user id of the clicker (default `U0REPLAY`). The approval-gateway's policy applies: a user
   * not on the rollout's `approvers` (directly or through `groups`) is refused and decides nothing.
   */
  by: Type.Optional(Type.String({ minLength: 1 })),
  /** The Slack user groups `by` belongs to, as Slack's directory would answer (default none). */
  groups: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  comment: Type.Optional(Type.String()),
});

/** An operator command (`siskin pause|resume|abort|promote|approve|reject`). */
export const TraceControlEvent = Strict({
  at: TraceAt,
  kind: Type.Literal("control"),
  action: StringEnum(ControlAction),
  /** CLI user (default `replay`). */
  by: Type.Optional(Type.String({ minLength: 1 })),
  reason: Type.Optional(Type.String()),
});

/** The traffic-router fails the next `fail` weight writes from `at` on (default: they all succeed). */
export const TraceTrafficEvent = Strict({
  at: TraceAt,
  kind: Type.Literal("traffic"),
  fail: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  /** Default true. */
  retryable: Type.Optional(Type.Boolean()),
  message: Type.Optional(Type.String()),
});

/**
 * A newer release of the same rollout is asked for (a new tag): the orchestrator's rules apply — the
 * live release is superseded (its canary rolled back), the new one waits in `queued` and starts from
 * step 1 once the old one has ended; never two canaries.
 */
export const TraceReleaseEvent = Strict({
  at: TraceAt,
  kind: Type.Literal("release"),
  /** The version asked for. */
  version: Version,
});

export const TraceEvent = Type.Union([TraceVmEvent, TraceMetricsEvent, TraceAlertEvent, TraceApprovalEvent, TraceControlEvent, TraceTrafficEvent, TraceReleaseEvent]);
export type TraceEvent = Static<typeof TraceEvent>;

/** A replay trace. */
export const Trace = Strict(
  {
    /** Free text shown in the replay's header. */
    description: Type.Optional(Type.String()),
    rollout: Strict({ namespace: K8sNamespace, name: K8sName, spec: VMRolloutSpec }),
    /** The version released. */
    version: Version,
    /** Wall-clock time of second 0 (default 2026-01-01T00:00:00Z). */
    startAt: Type.Optional(Type.String({ format: "date-time" })),
    /** Simulated clock resolution (default 1 s). */
    tickSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600 })),
    /** Stop after this many seconds (default: the last event plus the longest the plan can take). */
    durationSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    events: Type.Array(TraceEvent, { maxItems: 100_000 }),
  },
  { description: "A replay trace: a rollout, a version, and what the world did." },
);
export type Trace = Static<typeof Trace>;
