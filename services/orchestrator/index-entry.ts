/**
 * The live-release index fields of a release (what the k8s-watcher and alert-ingest read) and its
 * next wake-up time (what the ticker reads). Pure.
 */
import type { ReleaseRequested } from "../../schemas/release.js";
import type { LiveReleaseEntry } from "../../schemas/rollout-index.js";
import { resolveRollout, type ResolvedRollout } from "../../schemas/rollout-defaults.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import { currentStep, RESEND_MS, resolvedOf } from "../../workflows/canary/context.js";
import type { CanaryContext } from "../../workflows/canary/index.js";

/** The longest the ticker leaves a live release alone, even with no deadline known. */
export const MAX_IDLE_MS = 30_000;

function routing(spec: VMRolloutSpec, r: ResolvedRollout, namespace: string, rollout: string, version: string) {
  return {
    namespace,
    rollout,
    service: spec.service,
    canaryVersion: version,
    versionLabel: r.versionLabel,
    alertMatchers: r.alertMatchers.slice(0, 20),
  };
}

/** The entry of a release that was just requested (before its record exists): due at once. */
export function entryFromRequest(releaseId: string, req: ReleaseRequested): LiveReleaseEntry {
  const r = resolveRollout(req.spec);
  return {
    releaseId,
    version: req.version,
    stableVersion: req.spec.stableVersion,
    stableSubset: req.spec.stableVersion,
    canarySubset: req.version,
    ...routing(req.spec, r, req.rollout.namespace, req.rollout.name, req.version),
  };
}

/** The entry of a live release from its context, with `nextWakeAt` computed at `now`. */
export function entryFromContext(ctx: CanaryContext, state: string, now: number): LiveReleaseEntry {
  const r = resolvedOf(ctx);
  return {
    releaseId: ctx.releaseId,
    version: ctx.version,
    stableVersion: ctx.stableVersion,
    stableSubset: ctx.stableVersion,
    canarySubset: ctx.version,
    ...(ctx.trafficTouched ? { lastSetWeight: ctx.canaryWeight } : {}),
    ...routing(ctx.spec, r, ctx.rollout.namespace, ctx.rollout.name, ctx.version),
    nextWakeAt: nextWakeAt(ctx, state, now),
  };
}

/**
 * The earliest time a tick can change the release: the minimum of the deadlines in its context
 * (guards compare `now` with them, some with `>`: hence the +1), capped at `now + maxIdleMs` so a
 * deadline this list misses delays the release by at most that much. A passed deadline whose
 * guard is held by something else (a migration) makes the release due on every tick: a cost, never
 * a missed step.
 */
export function nextWakeAt(ctx: CanaryContext, state: string, now: number, maxIdleMs = MAX_IDLE_MS): number {
  // A release queued behind a finished one, or just started, must be looked at now.
  if (state === "queued" || state === "start") return now;
  const r = resolvedOf(ctx);
  const at: number[] = [now + maxIdleMs];
  const p = ctx.provision;
  if (p !== null && (state === "provisioning" || state === "awaitingCanaryReady")) {
    at.push(p.deadline + 1);
    if (p.retryAt !== null) at.push(p.retryAt);
  }
  const w = ctx.weights;
  if (w !== null) {
    at.push(w.retryAt ?? (w.sentAt === null ? now : w.sentAt + RESEND_MS));
    if (ctx.stallDeadline !== null) at.push(ctx.stallDeadline + 1);
  }
  if (ctx.bake !== null && state.startsWith("step.")) {
    if (ctx.planProblems.length === 0 && ctx.bake.passed >= currentStep(ctx).bakeIntervals) at.push(ctx.bake.until);
    at.push(Math.max(ctx.lastAnalysisAt ?? 0, ctx.bake.startedAt) + r.intervalMs + r.progressDeadlineMs + 1);
  }
  if (!ctx.canaryReady && ctx.notReadySince !== null) at.push(ctx.notReadySince + r.progressDeadlineMs + 1);
  if (ctx.finalizeAt !== null) at.push(ctx.finalizeAt);
  const pending = ctx.approvals.find((a) => a.requestId === ctx.pendingApproval);
  if (pending !== undefined && pending.decision === null) at.push(pending.expiresAt);
  return Math.max(0, Math.min(...at));
}
