/** The initial context and read-only helpers over it. Pure. */
import { resolveRollout, type ResolvedRollout } from "../../schemas/rollout-defaults.js";
import type { Limits } from "./decide.js";
import { zeroCounters } from "./decide.js";
import { stepAt, tryPlanSteps, type PlannedStep, type StepPlan } from "./steps.js";
import type { Actor, CanaryContext, CanaryInput, WeightsRequest, WorkflowEvent } from "./types.js";
import { Event, Command } from "../../schemas/subjects.js";

/** Resend a weights command when nothing confirmed it for this long. */
export const RESEND_MS = 30_000;
/** Migration windows remembered (to neutralise overlapping analysis intervals). */
export const MAX_MIGRATION_WINDOWS = 20;

/** Exponential backoff for retries: 5 s, 10 s, 20 s, 40 s, then 60 s. */
export function backoffMs(attempt: number): number {
  return Math.min(5000 * 2 ** Math.max(0, attempt - 1), 60_000);
}

/** The event's time; the initial transition's `xstate.init` carries none, so the input's time applies. */
export function nowOf(ctx: CanaryContext, ev: WorkflowEvent | { type: string }): number {
  const now = (ev as { now?: unknown }).now;
  return typeof now === "number" && Number.isFinite(now) ? now : ctx.requestedAt;
}

/** The context of a new release. */
export function initialContext(input: CanaryInput): CanaryContext {
  const req = input.request;
  const planned = tryPlanSteps(resolveRollout(req.spec));
  return {
    releaseId: input.releaseId,
    rollout: { ...req.rollout },
    spec: req.spec,
    version: req.version,
    stableVersion: req.spec.stableVersion,
    requestedBy: req.requestedBy,
    requestedAt: input.now,
    queuedBehind: input.queuedBehind ?? null,
    planProblems: planned.problems,
    provision: null,
    canaryReady: false,
    notReadySince: null,
    stepIndex: 0,
    canaryWeight: 0,
    trafficShape: "",
    trafficTouched: false,
    weights: null,
    stallDeadline: null,
    bake: null,
    counters: { ...zeroCounters },
    analysisStarted: false,
    lastAnalysisAt: null,
    lastVerdicts: [],
    migrations: {},
    migrationWindows: [],
    approvals: [],
    pendingApproval: null,
    promotedBy: null,
    promoted: false,
    paused: null,
    rollback: null,
    finalizeAt: null,
    lastReason: `release of ${req.version} requested by ${actorName(req.requestedBy)}`,
    lastActor: req.requestedBy,
    outcome: null,
    completedAt: null,
  };
}

// Guards ask for the resolved rollout many times per event; memoize per spec object (a pure cache:
// the spec is never mutated, and a restored snapshot simply brings a new spec object).
const resolvedCache = new WeakMap<object, { resolved: ResolvedRollout; plan: StepPlan | null }>();
function resolvedEntry(ctx: CanaryContext): { resolved: ResolvedRollout; plan: StepPlan | null } {
  let e = resolvedCache.get(ctx.spec);
  if (e === undefined) {
    const resolved = resolveRollout(ctx.spec);
    e = { resolved, plan: tryPlanSteps(resolved).plan };
    resolvedCache.set(ctx.spec, e);
  }
  return e;
}

/** The rollout with defaults filled. */
export function resolvedOf(ctx: CanaryContext): ResolvedRollout {
  return resolvedEntry(ctx).resolved;
}

/** The step plan; the machine only runs steps once the plan is known to be valid. */
export function planOf(ctx: CanaryContext): StepPlan {
  const plan = resolvedEntry(ctx).plan;
  if (plan === null) throw new RangeError(`release ${ctx.releaseId} has no valid step plan: ${ctx.planProblems.join("; ")}`);
  return plan;
}

/** The traffic shape a weights request asks for: its step's mirror or match, or "" (weights only). */
export function requestedShape(ctx: CanaryContext, w: WeightsRequest): string {
  const step = w.step ?? null;
  return step === null ? "" : stepAt(planOf(ctx), step).shape;
}

/** The shape the traffic-router last confirmed ("" in snapshots older than mirror steps). */
export function confirmedShape(ctx: CanaryContext): string {
  return ctx.trafficShape ?? "";
}

/** What a weights request gives the canary, for sentences: `10 %`, `mirror 100 %`, `match x-canary=always`. */
export function trafficText(ctx: CanaryContext, w: WeightsRequest): string {
  const step = w.step ?? null;
  return step === null ? `${w.target} %` : stepAt(planOf(ctx), step).label;
}

/** The step the release is at. */
export function currentStep(ctx: CanaryContext): PlannedStep {
  return stepAt(planOf(ctx), ctx.stepIndex);
}

/** The counted path's limits. */
export function limitsOf(ctx: CanaryContext): Limits {
  const r = resolvedOf(ctx);
  return { failureLimit: r.failureLimit, inconclusiveLimit: r.inconclusiveLimit, errorLimit: r.errorLimit, noData: r.noData };
}

/** True while a live migration of a canary or stable VMI is in flight: weight changes wait. */
export function isFrozen(ctx: CanaryContext): boolean {
  return Object.keys(ctx.migrations).length > 0;
}

/** The migration (if any) that overlapped [start, end): in flight, or finished inside the window. */
export function migrationOverlapping(ctx: CanaryContext, start: number, end: number): string | null {
  for (const [vmi, m] of Object.entries(ctx.migrations)) {
    if (m.startedAt < end) return `VMI ${vmi} (${m.version}) migrating since ${new Date(m.startedAt).toISOString()}`;
  }
  for (const w of ctx.migrationWindows) {
    if (w.start < end && w.end > start) return `VMI ${w.vmi} migrated ${new Date(w.start).toISOString()}–${new Date(w.end).toISOString()}`;
  }
  return null;
}

/** A person's or component's name for sentences. */
export function actorName(a: Actor | null | undefined): string {
  if (a === null || a === undefined) return "system";
  return a.name === undefined ? `${a.kind}:${a.id}` : `${a.name} (${a.kind}:${a.id})`;
}

/** The actor an event carries (control commands and approval decisions). */
export function actorOf(ev: WorkflowEvent): Actor | null {
  if (ev.type === Command.orchestratorControl || ev.type === Event.approvalGranted || ev.type === Event.approvalDenied) {
    return ev.data.actor;
  }
  return null;
}

interface FactLike {
  version?: string | undefined;
  rollout?: { namespace: string; name: string } | undefined;
}

function sameRollout(ctx: CanaryContext, ref: FactLike["rollout"]): boolean {
  return ref === undefined || (ref.namespace === ctx.rollout.namespace && ref.name === ctx.rollout.name);
}

/** A VMI fact about this release's canary. */
export function isCanaryFact(ctx: CanaryContext, data: FactLike): boolean {
  return data.version === ctx.version && sameRollout(ctx, data.rollout);
}

/** A VMI fact about this release's canary or stable version. */
export function isOwnVmFact(ctx: CanaryContext, data: FactLike): boolean {
  return (data.version === ctx.version || data.version === ctx.stableVersion) && sameRollout(ctx, data.rollout);
}

/** `<ns>/<name>` of a VMI fact. */
export function vmiKey(data: { vmi: { namespace: string; name: string } }): string {
  return `${data.vmi.namespace}/${data.vmi.name}`;
}
