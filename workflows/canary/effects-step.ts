/** Effects of the steps: bake, analysis bookkeeping, approvals. Pure. */
import { analysisStartCommand, approvalCancelCommand, approvalRequestCommand, notifyCommand } from "./commands.js";
import { actorName, actorOf, currentStep, limitsOf, planOf, resolvedOf } from "./context.js";
import { chain, fx, none, type Fx } from "./effect.js";
import { seconds } from "./format.js";
import { analysisDecision, decisionCheck, judgedVerdicts } from "./guards.js";
import { bakeMs, stepAt } from "./steps.js";
import { pumpWeights, requestWeights } from "./effects-traffic.js";
import type { ApprovalRecord } from "./types.js";
import { Event, Command } from "../../schemas/subjects.js";

/** Keep what led here (a pass, a resume, an approval) in the sentence, unless it was only the weights. */
function joinReason(previous: string, ev: Parameters<Fx>[1], text: string): string {
  return ev.type === Event.trafficWeightsSet || previous === "" ? text : `${previous}; ${text}`;
}

/** Entry of shifting: ask for the step's weight (it waits while a live migration is in flight). */
export const startShift: Fx = (ctx, ev) => {
  const step = currentStep(ctx);
  const e = chain(requestWeights(step.weight, step.kind === "weight" ? null : step.index), pumpWeights)(ctx, ev);
  const text = e.patch.lastReason ?? `step ${step.index + 1} waits to shift to ${step.label}: a live migration is in flight`;
  return fx({ ...e.patch, lastReason: joinReason(ctx.lastReason, ev, text) }, e.emit);
};

/** Entry of analyzing: bake from now (weights just confirmed, or a resume); start the analyzer once. */
export const startBake: Fx = (ctx, ev) => {
  const step = currentStep(ctx);
  const ms = bakeMs(planOf(ctx), ctx.stepIndex);
  const emit = ctx.analysisStarted ? [] : [analysisStartCommand(ctx)];
  return fx(
    {
      bake: { startedAt: ev.now, until: ev.now + ms, passed: 0 },
      analysisStarted: true,
      lastReason: joinReason(ctx.lastReason, ev, `baking step ${step.index + 1} at ${step.label} for ${step.bakeIntervals} interval(s) (${seconds(ms)})`),
    },
    emit,
  );
};

/**
 * Record one judged interval: counters, verdicts, and — when the whole interval lies at the step's
 * weight ({@link countsForBake}) — a passing interval toward the bake. A failed interval restarts the
 * bake's count, wherever it lies.
 */
export const recordAnalysis: Fx = (ctx, ev) => recordAnalysisWith(false)(ctx, ev);

/** {@link recordAnalysis}, keeping `lastReason` when another action (rollback, pause) set it. */
export const recordAnalysisQuietly: Fx = (ctx, ev) => recordAnalysisWith(true)(ctx, ev);

const recordAnalysisWith = (keepReason: boolean): Fx => (ctx, ev) => {
  const d = analysisDecision(ctx, ev);
  if (d === null || ev.type !== Event.analysisCompleted) return none(ctx, ev);
  const { windowStart, windowEnd } = ev.data;
  let bake = ctx.bake;
  if (bake !== null) {
    if (d.action === "advance" && countsForBake(bake, windowStart, windowEnd)) bake = { ...bake, passed: bake.passed + 1 };
    else if (d.summary === "fail") bake = { ...bake, passed: 0 };
  }
  // Tell people once, when inconclusive intervals first exceed the limit (the noData policy applies).
  const emit =
    d.summary === "inconclusive" && d.counters.inconclusive === limitsOf(ctx).inconclusiveLimit + 1
      ? [notifyCommand(ctx, "warning", `${ctx.releaseId}: ${d.reason}`)]
      : [];
  return fx(
    {
      counters: d.counters,
      lastVerdicts: judgedVerdicts(ctx, ev.data.verdicts),
      lastAnalysisAt: ev.now,
      bake,
      ...(keepReason ? {} : { lastReason: d.reason }),
    },
    emit,
  );
};

/**
 * A step is judged only on what happened at its own weight: an interval counts toward the bake when it
 * starts at or after the step's weight was confirmed (`bake.startedAt`), i.e. it lies wholly at that
 * weight. One that began at the previous weight (even by a millisecond) does not count; a failure in it
 * still resets the count (a regression is a regression).
 */
export function countsForBake(bake: { startedAt: number }, windowStart: number, windowEnd: number): boolean {
  return windowStart >= bake.startedAt && windowEnd > windowStart;
}

/** The step passed: move to the next one. */
export const advanceStep: Fx = (ctx) => {
  const from = currentStep(ctx);
  const next = stepAt(planOf(ctx), ctx.stepIndex + 1);
  return fx({
    stepIndex: next.index,
    bake: null,
    lastReason: `step ${from.index + 1} passed at ${from.label}; next ${next.label}`,
  });
};

/** Entry of awaitingApproval: a durable request with its own id and deadline. */
export const requestApproval: Fx = (ctx, ev) => {
  const step = currentStep(ctx);
  const gate = step.approval;
  if (gate === null) return none(ctx, ev);
  const attempt = ctx.approvals.filter((a) => a.step === step.index).length + 1;
  const rec: ApprovalRecord = {
    requestId: `${step.index}-${attempt}`,
    step: step.index,
    requestedAt: ev.now,
    expiresAt: ev.now + gate.timeoutMs,
    onTimeout: gate.onTimeout,
    decision: null,
    actor: null,
    at: null,
    comment: null,
    approvers: resolvedOf(ctx).approvers,
    refusals: [],
  };
  return fx(
    {
      approvals: [...ctx.approvals, rec],
      pendingApproval: rec.requestId,
      lastReason: `waiting for approval ${rec.requestId} to shift to ${step.label} (expires ${new Date(rec.expiresAt).toISOString()}, then ${gate.onTimeout})`,
    },
    [approvalRequestCommand(ctx, rec, step.weight)],
  );
};

/** Record the decision on the pending request (who, when, what); a CLI decision also closes the Slack request. */
export function decideApproval(decision: "granted" | "denied" | "expired"): Fx {
  return (ctx, ev) => {
    const id = ctx.pendingApproval;
    if (id === null) return none(ctx, ev);
    const actor = actorOf(ev);
    const at = ev.type === Event.approvalGranted || ev.type === Event.approvalDenied ? ev.data.at : ev.now;
    const comment =
      ev.type === Event.approvalGranted || ev.type === Event.approvalDenied
        ? ev.data.comment ?? null
        : ev.type === Command.orchestratorControl
          ? ev.data.reason ?? null
          : null;
    const approvals = ctx.approvals.map((a) => (a.requestId === id ? { ...a, decision, actor, at, comment } : a));
    const rec = approvals.find((a) => a.requestId === id);
    const step = currentStep(ctx);
    const by = decision === "expired" ? `expired (onTimeout=${rec?.onTimeout ?? "reject"})` : `${decision} by ${actorName(actor)}`;
    const emit =
      ev.type === Command.orchestratorControl || (ev.type === "tick" && decision === "expired")
        ? [approvalCancelCommand(id, `approval ${by}`)]
        : [];
    return fx(
      {
        approvals,
        pendingApproval: null,
        lastActor: actor ?? ctx.lastActor,
        lastReason: `approval ${id} for ${step.label} ${by}${comment ? `: ${comment}` : ""}`,
      },
      emit,
    );
  };
}

/**
 * A decision by someone not on the request's allow-list: kept in the request's record and the audit
 * (who and why); the request stays open and times out by its policy unless an approver decides.
 */
export const refuseApproval: Fx = (ctx, ev) => {
  const check = decisionCheck(ctx, ev);
  const actor = actorOf(ev);
  const id = ctx.pendingApproval;
  if (check === null || check.allowed || actor === null || id === null) return none(ctx, ev);
  const what = ev.type === Event.approvalGranted ? "grant" : "denial";
  const refusal = { actor, at: ev.now, reason: check.reason };
  const approvals = ctx.approvals.map((a) => (a.requestId === id ? { ...a, refusals: [...(a.refusals ?? []), refusal] } : a));
  const rec = approvals.find((a) => a.requestId === id);
  const until = rec === undefined ? "" : ` (expires ${new Date(rec.expiresAt).toISOString()}, then ${rec.onTimeout})`;
  return fx({
    approvals,
    lastActor: actor,
    lastReason: `approval ${id}: ${what} by ${actorName(actor)} refused: ${check.reason}; still waiting for an approver${until}`,
  });
};

/** Run `first`, then record the analysis without overwriting the reason `first` gave. */
export function thenRecord(first: Fx): Fx {
  return (ctx, ev) => {
    const a = first(ctx, ev);
    const b = recordAnalysisQuietly({ ...ctx, ...a.patch }, ev);
    return fx({ ...a.patch, ...b.patch }, [...a.emit, ...b.emit]);
  };
}

/** The step actions the chart names. */
export const stepEffects = {
  startShift,
  startBake,
  recordAnalysis,
  advanceStep,
  requestApproval,
  approvalGranted: decideApproval("granted"),
  approvalDenied: decideApproval("denied"),
  approvalExpired: decideApproval("expired"),
  refuseApproval,
} satisfies Record<string, Fx>;
