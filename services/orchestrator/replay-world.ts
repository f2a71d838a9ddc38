/**
 * The simulated world of `siskin replay`: how the workers would answer the orchestrator's commands
 * (provisioner, traffic-router, metrics-analyzer, approval-gateway), and the trace's facts turned
 * into the messages the real services would publish. Pure: time is passed in.
 */
import { message, type MessageOf, type PayloadOf } from "../../schemas/codec.js";
import type { MetricSpec, VMRolloutSpec } from "../../schemas/rollout.js";
import type { Problem } from "../../schemas/vm.js";
import { vmNameFor } from "../../schemas/rollout-defaults.js";
import type { Subject } from "../../schemas/subjects.js";
import type { Trace, TraceEvent } from "../../schemas/trace.js";
import { checkApprover, type Approvers } from "../../workflows/approval-policy.js";
import { judgeInterval, type MetricObservation } from "../../workflows/canary/index.js";
import type { HostCommand, HostEvent } from "./host.js";
import { Event, Command } from "../../schemas/subjects.js";

type Metrics = Extract<TraceEvent, { kind: "metrics" }>;

/**
 * The provisioner's preflight of the VM template (services/vm-provisioner/preflight.ts, wired by the
 * CLI, the composition root): problems make `cmd.vm.provision` fail permanently, as in the world.
 */
export type Preflight = (spec: VMRolloutSpec, version: string, rollout: { namespace: string; name: string }) => Problem[];

/** One release's analyzer, as metrics-analyzer runs it. */
interface Analyzer {
  releaseId: string;
  canaryVersion: string;
  startedAt: number;
  intervalMs: number;
  windows: number;
  metrics: MetricSpec[];
  minRequests: number;
}

/** The simulated workers' state. */
export interface World {
  trace: Trace;
  /** The release whose canary the trace's facts name (`canary`): the rollout's live release. */
  releaseId: string;
  /** That release's version. */
  version: string;
  /** The version serving as stable (the rollout's, or the last promoted canary's). */
  stableVersion: string;
  start: number;
  /** Counter for message ids. */
  n: number;
  weight: number;
  resourceVersion: number;
  /** Weight writes still to fail, and how. */
  failures: { remaining: number; retryable: boolean; message: string };
  /** Running analyzers by release id. */
  analyzers: Map<string, Analyzer>;
  /** The open approval request, if any (one per rollout: only the live release asks). */
  approval: { releaseId: string; requestId: string; approvers: Approvers } | null;
  /** Clicks the approval-gateway's policy refused (they never reach the workflow). */
  refusals: Array<{ at: number; by: string; requestId: string; reason: string }>;
  /** Metrics entries in time order, with their times in ms. */
  metrics: Array<{ at: number; entry: Metrics }>;
}

/** A fresh world for a trace. */
export function createWorld(trace: Trace, releaseId: string, start: number, metrics: World["metrics"]): World {
  return {
    trace,
    releaseId,
    version: trace.version,
    stableVersion: trace.rollout.spec.stableVersion,
    start,
    n: 0,
    weight: 0,
    resourceVersion: 1000,
    failures: { remaining: 0, retryable: true, message: "" },
    analyzers: new Map(),
    approval: null,
    refusals: [],
    metrics,
  };
}

/** A validated envelope, as a real service would publish it. */
export function envelopeOf<S extends Subject>(w: World, subject: S, data: PayloadOf<S>, now: number, releaseId = w.releaseId): HostEvent {
  const m = message(subject, { id: `replay-${w.n++}`, occurredAt: new Date(now).toISOString(), releaseId, data });
  return m as MessageOf<S> as unknown as HostEvent;
}

function versionOf(w: World, which: string | undefined, fallback: "canary" | "stable"): string {
  const v = which ?? fallback;
  if (v === "canary") return w.version;
  if (v === "stable") return w.stableVersion;
  return v;
}

function vmiFact(w: World, e: { version?: string | undefined; vmi?: string | undefined }) {
  const version = versionOf(w, e.version, "canary");
  const r = w.trace.rollout;
  return {
    vmi: { namespace: r.namespace, name: e.vmi ?? vmNameFor(r.spec.service, version) },
    version,
    rollout: { namespace: r.namespace, name: r.name },
    app: r.spec.service,
    resourceVersion: String(w.resourceVersion++),
  };
}

/** The messages a trace entry stands for (metrics and traffic entries change the world instead). */
export function traceMessages(w: World, e: TraceEvent, now: number): HostEvent[] {
  const r = w.trace.rollout;
  switch (e.kind) {
    case "metrics":
    case "release":
      return [];
    case "traffic":
      w.failures = { remaining: e.fail ?? 1, retryable: e.retryable ?? true, message: e.message ?? "simulated VirtualService write failure" };
      return [];
    case "vm": {
      const f = vmiFact(w, e);
      const reason = e.reason === undefined ? {} : { reason: e.reason };
      switch (e.event) {
        case "ready":
        case "not_ready":
          return [envelopeOf(w, Event.vmReadyChanged, { ...f, ready: e.event === "ready", ...reason }, now)];
        case "crashed":
          return [envelopeOf(w, Event.vmCrashed, { ...f, reason: e.reason ?? "crashed" }, now)];
        case "deleted":
          return [envelopeOf(w, Event.vmDeleted, f, now)];
        case "failed":
          return [envelopeOf(w, Event.vmPhaseChanged, { ...f, phase: "Failed", previousPhase: "Running" }, now)];
        case "migration_started":
          return [envelopeOf(w, Event.vmMigrationStarted, { ...f, ...reason }, now)];
        case "migration_completed":
          return [envelopeOf(w, Event.vmMigrationCompleted, { ...f, ...reason }, now)];
        case "migration_failed":
          return [envelopeOf(w, Event.vmMigrationFailed, { ...f, ...reason }, now)];
        case "provision_failed":
          return [
            envelopeOf(
              w,
              Event.vmProvisionFailed,
              {
                version: f.version,
                retryable: e.retryable ?? false,
                problems: [{ code: "SIMULATED", message: e.reason ?? "provisioning failed", fix: "see the trace" }],
              },
              now,
            ),
          ];
      }
      break;
    }
    case "alert": {
      const version: { version?: string } = e.version === undefined ? {} : { version: versionOf(w, e.version, "canary") };
      const annotations: Record<string, string> = e.summary === undefined ? {} : { summary: e.summary };
      const data: PayloadOf<typeof Event.alertFired> = {
        fingerprint: `${e.alertname}-${e.version ?? "any"}`,
        alertname: e.alertname,
        labels: { alertname: e.alertname, ...(e.labels ?? {}) },
        annotations,
        startsAt: new Date(now).toISOString(),
        rollout: { namespace: r.namespace, name: r.name },
        ...version,
      };
      return [envelopeOf(w, e.status === "resolved" ? Event.alertResolved : Event.alertFired, data, now)];
    }
    case "approval": {
      if (w.approval === null) return [];
      const { requestId, approvers, releaseId } = w.approval;
      if (e.decision === "expired") return [envelopeOf(w, Event.approvalExpired, { requestId, policy: "reject" }, now, releaseId)];
      const by = e.by ?? "U0REPLAY";
      // The gateway's policy, the same function: a refused click publishes nothing.
      const check = checkApprover(by, approvers, new Map(approvers.groups.map((g) => [g, e.groups?.includes(g) === true ? [by] : []])));
      if (!check.allowed) {
        w.refusals.push({ at: now, by, requestId, reason: check.reason });
        return [];
      }
      const actor = { kind: "slack" as const, id: by };
      const data = { requestId, actor, via: check.via, at: now, ...(e.comment === undefined ? {} : { comment: e.comment }) };
      return [envelopeOf(w, e.decision === "granted" ? Event.approvalGranted : Event.approvalDenied, data, now, releaseId)];
    }
    case "control":
      return [
        envelopeOf(
          w,
          Command.orchestratorControl,
          { action: e.action, actor: { kind: "cli", id: e.by ?? "replay" }, ...(e.reason === undefined ? {} : { reason: e.reason }) },
          now,
        ),
      ];
  }
  return [];
}

/** How the workers answer one command (their events name the command's release). */
export function react(w: World, c: HostCommand, now: number, preflight?: Preflight): HostEvent[] {
  const id = c.releaseId;
  switch (c.subject) {
    case Command.vmProvision: {
      const problems = preflight?.(c.data.spec, c.data.version, c.data.rollout) ?? [];
      if (problems.length > 0) return [envelopeOf(w, Event.vmProvisionFailed, { version: c.data.version, retryable: false, problems }, now, id)];
      return [envelopeOf(w, Event.vmProvisioned, { vm: { namespace: c.data.rollout.namespace, name: c.data.vmName }, version: c.data.version, created: true }, now, id)];
    }
    case Command.vmStop:
      return [envelopeOf(w, Event.vmStopped, { version: c.data.version, vms: [vmNameFor(w.trace.rollout.spec.service, c.data.version)], deleted: c.data.delete }, now, id)];
    case Command.trafficSetWeights: {
      const canaryWeight = c.data.canaryWeight;
      if (w.failures.remaining > 0) {
        w.failures.remaining--;
        return [envelopeOf(w, Event.trafficWeightsFailed, { canaryWeight, code: "SIMULATED", message: w.failures.message, retryable: w.failures.retryable }, now, id)];
      }
      w.weight = canaryWeight;
      const routes = [{ kind: "http" as const, index: 0, stableWeight: 100 - canaryWeight, canaryWeight }];
      return [envelopeOf(w, Event.trafficWeightsSet, { canaryWeight, routes, resourceVersion: String(w.resourceVersion++), attempts: 1 }, now, id)];
    }
    case Command.analysisStart:
      w.analyzers.set(id, { releaseId: id, canaryVersion: c.data.canaryVersion, startedAt: now, intervalMs: c.data.intervalSeconds * 1000, windows: 0, metrics: c.data.metrics, minRequests: c.data.minRequests });
      return [];
    case Command.analysisStop:
      w.analyzers.delete(id);
      return [];
    case Command.approvalRequest:
      w.approval = { releaseId: id, requestId: c.data.requestId, approvers: c.data.approvers };
      return [];
    case Command.approvalCancel:
      if (w.approval?.releaseId === id && w.approval.requestId === c.data.requestId) w.approval = null;
      return [];
    default:
      return [];
  }
}

/** The metrics entry in effect for a window ending at `end`: the latest one before it. */
function metricsAt(w: World, end: number): Metrics | null {
  let found: Metrics | null = null;
  for (const m of w.metrics) if (m.at < end) found = m.entry;
  return found;
}

const windowEndOf = (a: Analyzer) => a.startedAt + (a.windows + 1) * a.intervalMs;

/** The analyzer whose next window ends first, if any runs. */
function nextAnalyzer(w: World): Analyzer | null {
  let next: Analyzer | null = null;
  for (const a of w.analyzers.values()) if (next === null || windowEndOf(a) < windowEndOf(next)) next = a;
  return next;
}

/** When the next analysis window (of any release) ends, or null when no analyzer runs. */
export function nextWindowEnd(w: World): number | null {
  const a = nextAnalyzer(w);
  return a === null ? null : windowEndOf(a);
}

/** Judge the next window with the real judge on the trace's samples in effect at its end. */
export function judgeNextWindow(w: World): HostEvent | null {
  const a = nextAnalyzer(w);
  if (a === null) return null;
  const windowStart = a.startedAt + a.windows * a.intervalMs;
  const windowEnd = windowStart + a.intervalMs;
  a.windows++;
  const entry = metricsAt(w, windowEnd);
  const obs: Record<string, MetricObservation> = {};
  for (const m of a.metrics) {
    obs[m.name] = { canary: entry?.canary[m.name], stable: entry?.stable?.[m.name], error: entry?.errors?.[m.name] };
  }
  const verdicts = judgeInterval(a.metrics, obs, { minRequests: a.minRequests });
  return envelopeOf(w, Event.analysisCompleted, { windowStart, windowEnd, canaryVersion: a.canaryVersion, verdicts }, windowEnd, a.releaseId);
}
