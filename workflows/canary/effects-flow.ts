/** Effects of operator actions, promotion, finalization and final states. Pure. */
import type { ReleaseOutcome } from "../../schemas/release.js";
import { analysisStopCommand, notifyCommand, pruneCommands, setWeightsCommand, vmStopCommand } from "./commands.js";
import { actorName, actorOf, confirmedShape, currentStep, isFrozen, nowOf, resolvedOf } from "./context.js";
import { chain, fx, none, type Fx } from "./effect.js";
import { pumpWeights, requestWeights, cancelApproval } from "./effects-traffic.js";
import { seconds } from "./format.js";
import { thenRecord } from "./effects-step.js";
import { analysisReason, fastPathReason } from "./reasons.js";
import { statusWriteCommand } from "./status.js";
import type { CanaryContext, WorkflowEvent } from "./types.js";
import { Event, Command } from "../../schemas/subjects.js";

/** Pause in a step (operator, noData=pause, errorLimit, analyzer silence). */
export function pauseRelease(reason: (ctx: CanaryContext, ev: WorkflowEvent) => string, severity: "info" | "warning" = "info", opts: { silence?: boolean } = {}): Fx {
  return chain(cancelApproval("release paused"), (ctx, ev) => {
    const why = reason(ctx, ev);
    const step = currentStep(ctx);
    const emit = severity === "warning" ? [notifyCommand(ctx, "warning", `${ctx.releaseId} paused: ${why}`)] : [];
    return fx(
      {
        paused: { from: `step ${step.index + 1} (${step.label})`, reason: why, at: ev.now, actor: actorOf(ev), ...(opts.silence === true ? { silence: true } : {}) },
        bake: null,
        lastActor: actorOf(ev) ?? ctx.lastActor,
        lastReason: `paused at step ${step.index + 1} (${step.label}): ${why}`,
      },
      emit,
    );
  });
}

/** Resume: back to the step it left, its bake restarted. */
export const resumeRelease: Fx = (ctx, ev) => {
  const step = currentStep(ctx);
  return fx({
    paused: null,
    bake: null,
    lastActor: actorOf(ev) ?? ctx.lastActor,
    lastReason: `resumed by ${actorName(actorOf(ev))}: restarting step ${step.index + 1} (${step.label})`,
  });
};

/**
 * A pause for silent analysis ends by itself when results come back (a restarted analyzer, Prometheus
 * reachable again): the step restarts, as an operator's resume would, and the thread says why.
 */
export const resumeAfterSilence: Fx = (ctx) => {
  const step = currentStep(ctx);
  const why = `analysis results are back: restarting step ${step.index + 1} (${step.label})`;
  return fx({ paused: null, bake: null, lastReason: why }, [notifyCommand(ctx, "info", `${ctx.releaseId} resumed: ${why}`)]);
};

/** Manual promote: skip the remaining steps and gates; remember who asked. */
export const manualPromote: Fx = chain(cancelApproval("promoted manually"), (ctx, ev) =>
  fx({
    promotedBy: actorOf(ev),
    paused: null,
    bake: null,
    lastActor: actorOf(ev) ?? ctx.lastActor,
    lastReason: `promote requested by ${actorName(actorOf(ev))}: skipping the remaining steps`,
  }),
);

/** Entry of promoting: the rest of the traffic to the canary, unless it already has it. */
export const startPromotion: Fx = (ctx, ev) => {
  if (ctx.canaryWeight === 100 && ctx.weights === null) return none(ctx, ev);
  if (ctx.weights?.target === 100) return pumpWeights(ctx, ev);
  return chain(requestWeights(100), pumpWeights)(ctx, ev);
};

/** The canary is stable now: write it, stop judging, keep the old version up for the window. */
export const completePromotion: Fx = chain(cancelApproval("promoted"), (ctx, ev) => {
  const window = resolvedOf(ctx).rollbackWindowMs;
  const by = ctx.promotedBy === null ? "" : ` (promoted manually by ${actorName(ctx.promotedBy)})`;
  const patch: Partial<CanaryContext> = {
    promoted: true,
    analysisStarted: false,
    bake: null,
    stallDeadline: null,
    finalizeAt: ev.now + window,
    lastReason: `promoted: ${ctx.version} is the stable version${by}; ${ctx.stableVersion} stays up for ${seconds(window)}`,
  };
  const next = { ...ctx, ...patch };
  const emit = [statusWriteCommand(next, "finalizing", ev.now)];
  if (ctx.analysisStarted) emit.push(analysisStopCommand(`promoted ${ctx.version}`));
  return fx(patch, emit);
});

/**
 * The rollback window passed (or a newer release took over): stop the old version's VMs, and remove
 * what Siskin created for versions beyond revisionHistoryLimit.
 */
export const finishSucceeded: Fx = (ctx, ev) => {
  const why = ev.type === "siskin.superseded" ? `superseded by ${ev.by} after promotion` : "rollback window passed";
  const limit = resolvedOf(ctx).revisionHistoryLimit;
  const kept = [...new Set([ctx.version, ctx.stableVersion])].slice(0, limit).join(" and ");
  const stop = ctx.stableVersion === ctx.version ? [] : [vmStopCommand(ctx, ctx.stableVersion, `${ctx.version} promoted; ${why}`)];
  return fx({ lastReason: `${why}; stopping ${ctx.stableVersion}; keeping ${kept} (revisionHistoryLimit ${limit}), removing older versions' routes, subsets and VMs` }, [
    ...stop,
    ...pruneCommands(ctx, `${ctx.version} promoted; ${why}; revisionHistoryLimit ${limit}`),
  ]);
};

/** Entry of a final state: the outcome and its one-sentence reason. */
export function finish(outcome: ReleaseOutcome): Fx {
  return (ctx, ev) => {
    const base = { outcome, completedAt: nowOf(ctx, ev), weights: null, stallDeadline: null, pendingApproval: null };
    switch (outcome) {
      case "promoted":
        return fx({ ...base, lastReason: `${ctx.version} promoted${ctx.promotedBy ? ` manually by ${actorName(ctx.promotedBy)}` : ""}; ${ctx.lastReason}` });
      case "rolledBack":
        return fx({ ...base, lastReason: `rolled back to ${ctx.stableVersion}: ${ctx.rollback?.reason ?? ctx.lastReason}` });
      case "aborted":
        return fx({ ...base, lastReason: ctx.rollback === null ? `aborted: ${ctx.lastReason}` : `aborted, traffic back on ${ctx.stableVersion}: ${ctx.rollback.reason}` });
      case "superseded":
        return fx({ ...base, lastReason: ctx.rollback === null ? ctx.lastReason : `${ctx.rollback.reason}; ${ctx.version} taken out of traffic` });
      case "failed":
        return fx(base);
      default: {
        const never: never = outcome;
        throw new Error(`unknown outcome ${String(never)}`);
      }
    }
  };
}

/** An operator command that does not apply in this state: say so in the history. */
export function ignoreControl(state: string): Fx {
  return (ctx, ev) => {
    if (ev.type !== Command.orchestratorControl) return none(ctx, ev);
    return fx({
      lastActor: ev.data.actor,
      lastReason: `${ev.data.action} by ${actorName(ev.data.actor)} ignored: the release is ${state}`,
    });
  };
}

/** Someone else changed the managed weights: put ours back (unless frozen) and tell people. */
export const reassertWeights: Fx = (ctx, ev) => {
  if (ev.type !== Event.rolloutDriftDetected) return none(ctx, ev);
  const text = `VirtualService ${ev.data.virtualService} was edited${ev.data.editor ? ` by ${ev.data.editor}` : ""}: canary weight ${ev.data.observedCanaryWeight ?? "?"} %, expected ${ctx.canaryWeight} %`;
  const emit = [notifyCommand(ctx, "warning", `${ctx.releaseId}: ${text}`)];
  // At a mirror or matched step, its routes go back too (the shape says whether they were confirmed).
  if (ctx.weights === null && !isFrozen(ctx)) emit.unshift(setWeightsCommand(ctx, ctx.canaryWeight, confirmedShape(ctx) === "" ? null : ctx.stepIndex));
  return fx({ lastReason: `${text}; restoring ${ctx.canaryWeight} %` }, emit);
};

/** The flow actions the chart names: pause, resume, promotion, the final states, the queue. */
export const flowEffects = {
  pauseByOperator: pauseRelease(fastPathReason),
  pauseOnAnalysis: thenRecord(pauseRelease(analysisReason, "warning")),
  pauseOnSilence: pauseRelease(
    (ctx) => `no analysis result for ${seconds(resolvedOf(ctx).intervalMs + resolvedOf(ctx).progressDeadlineMs)}; is metrics-analyzer running?`,
    "warning",
    { silence: true },
  ),
  resumeRelease,
  resumeAfterSilence,
  manualPromote,
  startPromotion,
  completePromotion,
  finishSucceeded,
  finishPromoted: finish("promoted"),
  finishRolledBack: finish("rolledBack"),
  finishAborted: finish("aborted"),
  finishSuperseded: finish("superseded"),
  finishFailed: finish("failed"),
  finishAbortedQueued: (ctx, ev) => fx({ lastReason: `${fastPathReason(ctx, ev)} (before it started)`, lastActor: ev.type === Command.orchestratorControl ? ev.data.actor : ctx.lastActor }),
  finishSupersededQueued: (_ctx, ev) =>
    fx({ lastReason: `superseded by ${ev.type === "siskin.superseded" ? ev.by : "a newer release"} before it started` }),
  queue: (ctx, _ev) => fx({ lastReason: `queued behind ${ctx.queuedBehind ?? "?"}: it must finish before ${ctx.version} starts` }),
  startQueued: (ctx, ev) => {
    const stable = ev.type === "siskin.start" && ev.stableVersion !== undefined ? ev.stableVersion : ctx.stableVersion;
    return fx({
      queuedBehind: null,
      stableVersion: stable,
      lastReason: `${ctx.queuedBehind ?? "the previous release"} finished; starting against stable ${stable}`,
    });
  },
  ignoreControl: ignoreControl("not in a state where this applies"),
  reassertWeights: reassertWeights,
} satisfies Record<string, Fx>;
