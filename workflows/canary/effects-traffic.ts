/** Effects about traffic weights and rolling back. Pure. */
import { analysisStopCommand, approvalCancelCommand, notifyCommand, setWeightsCommand, vmStopCommand } from "./commands.js";
import { actorOf, backoffMs, isFrozen, requestedShape, RESEND_MS, resolvedOf, trafficText } from "./context.js";
import { chain, fx, none, type Fx } from "./effect.js";
import { seconds } from "./format.js";
import type { RollbackInfo } from "./types.js";
import { Event } from "../../schemas/subjects.js";

/**
 * Ask for a canary weight (with `step`: also that mirror or matched step's routes); forward shifts
 * get a stall deadline, the rollback never gives up. A mirror or matched step touches the
 * VirtualService even at weight 0, so a rollback must then reset it.
 */
export function requestWeights(target: number, step: number | null = null): Fx {
  return (ctx, ev) =>
    fx({
      weights: { target, step, sentAt: null, attempts: 0, retryAt: null, lastError: null },
      trafficTouched: ctx.trafficTouched || target > 0 || step !== null,
      stallDeadline: ctx.rollback === null ? ev.now + resolvedOf(ctx).progressDeadlineMs : null,
    });
}

/**
 * Send the outstanding weights command when it is due: first time, after a retryable failure's
 * backoff, or when nothing confirmed it for RESEND_MS. Forward shifts wait while a live migration
 * is in flight; a rollback never waits.
 */
export const pumpWeights: Fx = (ctx, ev) => {
  const w = ctx.weights;
  if (w === null) return fx();
  const rollingBack = ctx.rollback !== null;
  if (!rollingBack && isFrozen(ctx)) return fx();
  const due =
    w.retryAt !== null ? ev.now >= w.retryAt : w.sentAt === null ? true : ev.now >= w.sentAt + RESEND_MS;
  if (!due) return fx();
  const attempts = w.attempts + 1;
  const emit = [setWeightsCommand(ctx, w.target, w.step ?? null)];
  if (rollingBack && attempts > 1 && w.retryAt === null) {
    emit.push(
      notifyCommand(ctx, "critical", `Rollback of ${ctx.releaseId}: canary weight 0 % not confirmed after ${seconds(RESEND_MS)}; sent again (attempt ${attempts}). Check traffic-router.`),
    );
  }
  const lastReason =
    attempts === 1
      ? rollingBack
        ? `rolling back: moving all traffic to ${ctx.stableVersion}`
        : `shifting canary ${ctx.version} to ${trafficText(ctx, w)}`
      : `sending canary ${(w.step ?? null) === null ? "weight " : ""}${trafficText(ctx, w)} again (attempt ${attempts})`;
  return fx({ weights: { ...w, sentAt: ev.now, attempts, retryAt: null }, lastReason }, emit);
};

export const confirmWeights: Fx = (ctx, ev) => {
  if (ev.type !== Event.trafficWeightsSet || ctx.weights === null || ev.data.canaryWeight !== ctx.weights.target) return fx();
  if ((ev.data.shape ?? "") !== requestedShape(ctx, ctx.weights)) return fx();
  const rollback: RollbackInfo | null = ctx.rollback === null ? null : { ...ctx.rollback, confirmed: ev.data.canaryWeight === 0 };
  const what = (ctx.weights.step ?? null) === null ? `canary weight ${ev.data.canaryWeight} %` : `canary ${trafficText(ctx, ctx.weights)} (weight ${ev.data.canaryWeight} %)`;
  return fx({
    canaryWeight: ev.data.canaryWeight,
    trafficShape: ev.data.shape ?? "",
    weights: null,
    stallDeadline: null,
    rollback,
    lastReason: `traffic-router confirmed ${what} (VirtualService resourceVersion ${ev.data.resourceVersion})`,
  });
};

/** A failed weights write: retry after a backoff; while rolling back, page on-call every time. */
export const weightsFailed: Fx = (ctx, ev) => {
  if (ev.type !== Event.trafficWeightsFailed || ctx.weights === null || ev.data.canaryWeight !== ctx.weights.target) return fx();
  if ((ev.data.shape ?? "") !== requestedShape(ctx, ctx.weights)) return fx();
  const w = ctx.weights;
  const wait = backoffMs(w.attempts);
  const err = `${ev.data.code}: ${ev.data.message}`;
  const lastReason = `setting canary ${(w.step ?? null) === null ? "weight " : ""}${trafficText(ctx, w)} failed (attempt ${w.attempts}${ev.data.retryable ? "" : ", permanent"}): ${err}; retrying in ${seconds(wait)}`;
  const emit =
    ctx.rollback === null
      ? []
      : [notifyCommand(ctx, "critical", `Rollback of ${ctx.releaseId} is failing: ${lastReason}. Traffic may still reach ${ctx.version}.`)];
  return fx({ weights: { ...w, retryAt: ev.now + wait, lastError: err }, lastReason }, emit);
};

/** Close an open approval request because the release moved on without it. */
export function cancelApproval(why: string): Fx {
  return (ctx) => {
    if (ctx.pendingApproval === null) return fx();
    return fx({ pendingApproval: null }, [approvalCancelCommand(ctx.pendingApproval, why)]);
  };
}

/** Record why the release rolls back and what final state follows. */
export function beginRollback(kind: RollbackInfo["kind"], reason: (ctx: Parameters<Fx>[0], ev: Parameters<Fx>[1]) => string): Fx {
  return (ctx, ev) => {
    const text = reason(ctx, ev);
    return fx({
      rollback: {
        kind,
        reason: text,
        startedAt: ev.now,
        confirmed: false,
        actor: actorOf(ev),
        supersededBy: ev.type === "siskin.superseded" ? ev.by : null,
      },
      paused: null,
      lastReason: `rolling back: ${text}`,
      lastActor: actorOf(ev) ?? ctx.lastActor,
    });
  };
}

/** Entry of rollingBack: all traffic to stable first (if any moved), then stop judging, close the gate. */
export const startRollback: Fx = chain(
  (ctx, ev) => {
    const base = fx({ promoted: false, bake: null, stallDeadline: null });
    if (!ctx.trafficTouched && ctx.canaryWeight === 0) {
      return fx({ ...base.patch, weights: null, rollback: ctx.rollback === null ? null : { ...ctx.rollback, confirmed: true } });
    }
    return chain(() => base, requestWeights(0), pumpWeights)(ctx, ev);
  },
  (ctx) => (ctx.analysisStarted ? fx({ analysisStarted: false }, [analysisStopCommand(`rolling back: ${ctx.rollback?.reason ?? ""}`)]) : fx()),
  (ctx, ev) => cancelApproval(`release is rolling back: ${ctx.rollback?.reason ?? ""}`)(ctx, ev),
);

/** All traffic is on stable: stop the canary VMs (unless kept for debugging). */
export const finishRollback: Fx = (ctx, ev) => {
  if (ctx.rollback === null) return none(ctx, ev);
  if (resolvedOf(ctx).keepCanaryOnRollback) {
    const reason = `${ctx.rollback.reason}; canary ${ctx.version} kept running (keepCanaryOnRollback)`;
    return fx({ rollback: { ...ctx.rollback, reason }, lastReason: reason });
  }
  return fx({ lastReason: ctx.rollback.reason }, [vmStopCommand(ctx, ctx.version, `release rolled back: ${ctx.rollback.reason}`)]);
};

/** The weight actions the chart names (the rollbacks' starts are in effects-rollback.ts). */
export const trafficEffects = { pumpWeights, confirmWeights, weightsFailed, startRollback, finishRollback } satisfies Record<string, Fx>;
