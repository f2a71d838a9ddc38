/** Builders for tests of the canary workflow and its hosts: a spec, a request, messages as events. */
import type { MetricVerdict } from "../../schemas/analysis.js";
import type { PayloadOf } from "../../schemas/codec.js";
import type { ReleaseRequested } from "../../schemas/release.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import type { AcceptedSubject, CanaryInput, MessageEvent, WorkflowEvent } from "./types.js";

export const T0 = Date.parse("2026-03-01T12:00:00Z");
export const NS = "shop";
export const NAME = "ratings";
export const STABLE = "v1.0.0";
export const CANARY = "v1.1.0";
export const RELEASE_ID = `${NS}/${NAME}/${CANARY}`;
/** The Slack user listed in {@link makeSpec}'s approvers. */
export const APPROVER = "U123";

/** A minimal valid spec; override any field. */
export function makeSpec(over: Partial<VMRolloutSpec> = {}): VMRolloutSpec {
  return {
    service: NAME,
    virtualService: { name: NAME },
    destinationRule: { name: NAME },
    stableVersion: STABLE,
    vmTemplate: { spec: { domain: { devices: {} } } },
    analysis: { intervalSeconds: 60 },
    rollbackWindowSeconds: 300,
    approvers: { users: [APPROVER], groups: ["SONCALL"] },
    ...over,
  };
}

export function makeRequest(spec: VMRolloutSpec = makeSpec(), version = CANARY): ReleaseRequested {
  return {
    rollout: { namespace: NS, name: NAME },
    spec,
    version,
    tag: version,
    requestedBy: { kind: "github", id: "octocat" },
    idempotencyKey: `delivery-${version}`,
  };
}

export function makeInput(spec: VMRolloutSpec = makeSpec(), over: Partial<CanaryInput> = {}): CanaryInput {
  return { releaseId: RELEASE_ID, request: makeRequest(spec), now: T0, ...over };
}

/** A message event of `subject` at `now`. */
export function msg<S extends AcceptedSubject>(subject: S, data: PayloadOf<S>, now: number): MessageEvent<S> {
  return { type: subject, data, now };
}

export function tick(now: number): WorkflowEvent {
  return { type: "tick", now };
}

const vmi = (version: string) => ({ namespace: NS, name: `${NAME}-${version.replace(/\./g, "-")}` });
const fact = (version: string) => ({ vmi: vmi(version), version, rollout: { namespace: NS, name: NAME }, app: NAME, resourceVersion: "1" });

export const ev = {
  provisioned: (now: number, version = CANARY) => msg("evt.vm.provisioned", { vm: vmi(version), version, created: true }, now),
  ready: (now: number, ready = true, version = CANARY) => msg("evt.vm.ready_changed", { ...fact(version), ready }, now),
  crashed: (now: number, version = CANARY) => msg("evt.vm.crashed", { ...fact(version), reason: "guest panic" }, now),
  deleted: (now: number, version = CANARY) => msg("evt.vm.deleted", { ...fact(version) }, now),
  phaseFailed: (now: number, version = CANARY) => msg("evt.vm.phase_changed", { ...fact(version), phase: "Failed" }, now),
  migrationStarted: (now: number, version = STABLE) => msg("evt.vm.migration_started", { ...fact(version) }, now),
  migrationCompleted: (now: number, version = STABLE) => msg("evt.vm.migration_completed", { ...fact(version) }, now),
  migrationFailed: (now: number, version = STABLE) => msg("evt.vm.migration_failed", { ...fact(version), reason: "target node lost" }, now),
  provisionFailed: (now: number, retryable: boolean) =>
    msg("evt.vm.provision_failed", { version: CANARY, retryable, problems: [{ code: "IMAGE_MISSING", message: "image tag v1.1.0 not found", fix: "push the image" }] }, now),
  weightsSet: (now: number, canaryWeight: number, shape = "") =>
    msg("evt.traffic.weights_set", { canaryWeight, routes: [], resourceVersion: String(now), attempts: 1, ...(shape === "" ? {} : { shape }) }, now),
  weightsFailed: (now: number, canaryWeight: number, retryable = true, shape = "") =>
    msg("evt.traffic.weights_failed", { canaryWeight, code: "CONFLICT", message: "resourceVersion changed", retryable, ...(shape === "" ? {} : { shape }) }, now),
  analysis: (now: number, verdicts: MetricVerdict[], windowMs = 60_000, version = CANARY) =>
    msg("evt.analysis.completed", { windowStart: now - windowMs, windowEnd: now, canaryVersion: version, verdicts }, now),
  alert: (now: number, version: string | undefined = CANARY) =>
    msg(
      "evt.alert.fired",
      {
        fingerprint: "f1",
        alertname: "HighErrorRate",
        labels: { severity: "critical" },
        annotations: { summary: "5xx above 5 %" },
        startsAt: new Date(now).toISOString(),
        rollout: { namespace: NS, name: NAME },
        ...(version === undefined ? {} : { version }),
      },
      now,
    ),
  granted: (now: number, requestId: string, actor: { kind: "slack" | "cli"; id: string; name?: string } = { kind: "slack", id: APPROVER, name: "ana" }, via?: string) =>
    msg("evt.approval.granted", { requestId, actor, ...(via === undefined ? {} : { via }), at: now }, now),
  denied: (now: number, requestId: string) => msg("evt.approval.denied", { requestId, actor: { kind: "slack", id: "U123", name: "ana" }, at: now, comment: "not today" }, now),
  expired: (now: number, requestId: string, policy: "reject" | "approve") => msg("evt.approval.expired", { requestId, policy }, now),
  control: (now: number, action: "pause" | "resume" | "abort" | "promote" | "approve" | "reject") =>
    msg("cmd.orchestrator.control", { action, actor: { kind: "cli", id: "alice" }, reason: `${action} from test` }, now),
  superseded: (now: number, by = `${NS}/${NAME}/v1.2.0`): WorkflowEvent => ({ type: "siskin.superseded", by, now }),
  start: (now: number): WorkflowEvent => ({ type: "siskin.start", now }),
};

/** Verdicts: one passing, failing, inconclusive, error or critical metric. */
export const verdict = {
  pass: (): MetricVerdict => ({ metric: "error-rate", verdict: "pass", critical: false, canary: 0.1, stable: 0.1, reason: "error-rate 0.1 % ≤ max 1 %" }),
  fail: (): MetricVerdict => ({ metric: "latency-p99", verdict: "fail", critical: false, canary: 412, stable: 280, reason: "latency-p99 412 ms > 1.2 × stable 280 ms = 336 ms" }),
  inconclusive: (): MetricVerdict => ({ metric: "error-rate", verdict: "inconclusive", critical: false, canary: null, stable: 0.1, reason: "error-rate: only 7 canary requests in the interval, need 20" }),
  error: (): MetricVerdict => ({ metric: "error-rate", verdict: "error", critical: false, canary: null, stable: null, reason: "error-rate: query failed: timeout" }),
  critical: (): MetricVerdict => ({ metric: "error-rate", verdict: "fail", critical: true, canary: 35, stable: 0.1, reason: "error-rate 35 % > critical bound 20 %: roll back now" }),
};
