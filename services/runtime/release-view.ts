/**
 * What people see of a release, read from the orchestrator's KV entry (`Bucket.releases`) and kept
 * current from `evt.release.*`: the CLI's status and watch, and the dashboard. Pure and tolerant: an
 * entry written by an older or newer orchestrator still shows what can be read from it, rather than
 * crashing the reader.
 */
import { resolveRollout } from "../../schemas/rollout-defaults.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import { releaseIdFromKey } from "../../schemas/subjects.js";
import { statePath, type StateValueLike } from "../../workflows/canary/state-path.js";

/** Who did something, as stored in audit entries and events. */
export interface ActorLike {
  kind: string;
  id: string;
  name?: string;
}

/** One metric's latest verdict; the numbers come from the KV entry (events carry only the sentence). */
export interface VerdictLine {
  metric: string;
  verdict: string;
  reason: string;
  canary?: number | null;
  stable?: number | null;
  threshold?: string;
  critical?: boolean;
}

/** One transition of the release's audit history. */
export interface AuditLine {
  seq: number | null;
  /** When the orchestrator applied it (ms), when known. */
  at: number | null;
  event: string;
  from: string;
  to: string;
  reason: string;
  actor: ActorLike | null;
}

/** An approval gate and its decision. */
export interface ApprovalLine {
  step: number;
  decision: string | null;
  actor: ActorLike | null;
  at: number | null;
  expiresAt: number | null;
}

/** A release as the CLI shows it. */
export interface ReleaseView {
  releaseId: string;
  /** `<namespace>/<name>` of the VMRollout. */
  rollout: string;
  version: string | null;
  stableVersion: string | null;
  /** The statechart state as a dotted path (`step.analyzing`), or `requested` before the first save. */
  state: string;
  done: boolean;
  /** `promoted`, `rolledBack`, `aborted`, `superseded`, `failed` once done. */
  outcome: string | null;
  /** The current step, 0-based; null before the first step. */
  step: number | null;
  /** Number of steps of the plan, when the spec is known. */
  steps: number | null;
  /** Canary weight confirmed by the traffic-router. */
  weight: number;
  verdicts: VerdictLine[];
  /** The last reason the workflow gave. */
  reason: string;
  actor: ActorLike | null;
  requestedBy: ActorLike | null;
  requestedAt: number | null;
  /** When the state last changed (ms). */
  updatedAt: number | null;
  completedAt: number | null;
  /** An approval is asked for and not yet decided. */
  awaitingApproval: boolean;
  approvals: ApprovalLine[];
  /** The audit position of the newest transition known; events at or below it are already shown. */
  lastSeq: number | null;
  audit: AuditLine[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const numOrNull = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Epoch ms from a number or an RFC 3339 string. */
export function timeOf(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** An actor object, or null. */
export function actorOf(v: unknown): ActorLike | null {
  if (!isObj(v) || typeof v.kind !== "string" || typeof v.id !== "string") return null;
  return { kind: v.kind, id: v.id, ...(typeof v.name === "string" ? { name: v.name } : {}) };
}

/** Number of steps of a spec (defaults applied), or null when it cannot be read. */
export function stepCountOf(spec: unknown): number | null {
  if (!isObj(spec)) return null;
  try {
    return resolveRollout(spec as unknown as VMRolloutSpec).steps.length;
  } catch {
    return null;
  }
}

/** A verdict line from a MetricVerdict or a VerdictSummary. */
export function verdictOf(v: unknown): VerdictLine | null {
  if (!isObj(v) || typeof v.metric !== "string" || typeof v.verdict !== "string") return null;
  const out: VerdictLine = { metric: v.metric, verdict: v.verdict, reason: str(v.reason) ?? "" };
  if ("canary" in v) out.canary = numOrNull(v.canary);
  if ("stable" in v) out.stable = numOrNull(v.stable);
  if (typeof v.threshold === "string") out.threshold = v.threshold;
  if (typeof v.critical === "boolean") out.critical = v.critical;
  return out;
}

function auditOf(v: unknown): AuditLine | null {
  if (!isObj(v)) return null;
  return {
    seq: numOrNull(v.seq),
    at: timeOf(v.at),
    event: str(v.event) ?? "",
    from: str(v.from) ?? "",
    to: str(v.to) ?? "",
    reason: str(v.reason) ?? "",
    actor: actorOf(v.actor),
  };
}

function approvalOf(v: unknown): ApprovalLine | null {
  if (!isObj(v) || typeof v.step !== "number") return null;
  return { step: v.step, decision: str(v.decision), actor: actorOf(v.actor), at: timeOf(v.at), expiresAt: timeOf(v.expiresAt) };
}

const PRE_STEP = new Set(["requested", "start", "queued", "provisioning", "awaitingCanaryReady", "failed"]);

/** The step to show for a state: null before the canary reached its first step. */
export function stepShown(state: string, stepIndex: number | null): number | null {
  if (stepIndex === null || PRE_STEP.has(state)) return null;
  return stepIndex;
}

/**
 * The view of a stored release (`{machine, version, releaseId, snapshot: {value, context, status},
 * audit, ...}`), or null when `stored` is not an object. `key` is its KV key (the id's fallback).
 */
export function releaseViewOf(key: string, stored: unknown): ReleaseView | null {
  if (!isObj(stored)) return null;
  const snap = isObj(stored.snapshot) ? stored.snapshot : {};
  const ctx = isObj(snap.context) ? snap.context : {};
  const value = snap.value;
  const state = typeof value === "string" || isObj(value) ? statePath(value as StateValueLike) : "requested";
  const audit = (Array.isArray(stored.audit) ? stored.audit : []).map(auditOf).filter((a): a is AuditLine => a !== null);
  const rolloutObj = isObj(ctx.rollout) ? ctx.rollout : {};
  const releaseId = str(stored.releaseId) ?? str(ctx.releaseId) ?? releaseIdFromKey(key);
  const rollout = typeof rolloutObj.namespace === "string" && typeof rolloutObj.name === "string" ? `${rolloutObj.namespace}/${rolloutObj.name}` : releaseId.split("/").slice(0, 2).join("/");
  const outcome = str(ctx.outcome);
  const approvals = (Array.isArray(ctx.approvals) ? ctx.approvals : []).map(approvalOf).filter((a): a is ApprovalLine => a !== null);
  const seqs = audit.map((a) => a.seq).filter((s): s is number => s !== null);
  const last = audit[audit.length - 1];
  return {
    releaseId,
    rollout,
    version: str(ctx.version),
    stableVersion: str(ctx.stableVersion),
    state,
    done: snap.status === "done" || outcome !== null,
    outcome,
    step: stepShown(state, numOrNull(ctx.stepIndex)),
    steps: stepCountOf(ctx.spec),
    weight: numOrNull(ctx.canaryWeight) ?? 0,
    verdicts: (Array.isArray(ctx.lastVerdicts) ? ctx.lastVerdicts : []).map(verdictOf).filter((v): v is VerdictLine => v !== null),
    reason: str(ctx.lastReason) ?? last?.reason ?? "",
    actor: actorOf(ctx.lastActor),
    requestedBy: actorOf(ctx.requestedBy),
    requestedAt: timeOf(ctx.requestedAt),
    updatedAt: last?.at ?? timeOf(stored.updatedAt),
    completedAt: timeOf(ctx.completedAt),
    awaitingApproval: typeof ctx.pendingApproval === "string" || state.endsWith("awaitingApproval"),
    approvals,
    lastSeq: seqs.length > 0 ? Math.max(...seqs) : typeof stored.auditSeq === "number" && stored.auditSeq > 0 ? stored.auditSeq - 1 : null,
    audit,
  };
}

/** The worst of the latest verdicts in a few words: `fail latency-p99`, `pass (2)`, or `-`. */
export function lastVerdictSummary(verdicts: readonly VerdictLine[]): string {
  if (verdicts.length === 0) return "-";
  for (const kind of ["fail", "error", "inconclusive"]) {
    const bad = verdicts.filter((v) => v.verdict === kind);
    if (bad.length > 0) return `${kind} ${bad.map((v) => v.metric).join(",")}`;
  }
  return `pass (${verdicts.length})`;
}

/** Live releases first (newest request first), then finished ones (newest completion first). */
export function sortReleases(views: readonly ReleaseView[]): ReleaseView[] {
  const live = views.filter((v) => !v.done).sort((a, b) => (b.requestedAt ?? 0) - (a.requestedAt ?? 0) || a.releaseId.localeCompare(b.releaseId));
  const done = views
    .filter((v) => v.done)
    .sort((a, b) => (b.completedAt ?? b.updatedAt ?? 0) - (a.completedAt ?? a.updatedAt ?? 0) || a.releaseId.localeCompare(b.releaseId));
  return [...live, ...done];
}
