/** The messages the host adds around a transition: progress, completion, status, supersede. Pure. */
import type { PayloadOf } from "../../schemas/codec.js";
import { Command, Event, type Subject } from "../../schemas/subjects.js";
import type { CanaryContext, WorkflowCommand } from "../../workflows/canary/index.js";
import { statusWriteOf } from "../../workflows/canary/index.js";

/** One entry of a release's audit history. */
export interface AuditEntry {
  /** Position in the release's history (never reused, even when old entries are dropped). */
  seq: number;
  /** The event's subject, or `tick`, `siskin.superseded`, `siskin.start`. */
  event: string;
  from: string;
  to: string;
  reason: string;
  actor?: CanaryContext["requestedBy"];
  /** When the orchestrator applied it (ms). */
  at: number;
}

/** A message to publish, before it gets its msgId. */
export type OutgoingDraft = { [S in Subject]: { subject: S; data: PayloadOf<S> } }[Subject];

/** States that write no status: a queued release does not own the rollout yet; a superseded one no longer does. */
const SILENT_STATUS = new Set(["start", "queued", "superseded"]);

export interface TransitionFacts {
  ctx: CanaryContext;
  from: string;
  to: string;
  event: string;
  now: number;
  done: boolean;
  /** The audit sequence number of this transition. */
  auditSeq: number;
  /** Commands the machine emitted in this transition. */
  emitted: readonly WorkflowCommand[];
  supersededBy: string | null;
}

/** Messages about the transition itself, to publish after the machine's commands. */
export function hostMessages(f: TransitionFacts): OutgoingDraft[] {
  const out: OutgoingDraft[] = [];
  const ctx = f.ctx;
  if (f.supersededBy !== null) {
    const data: PayloadOf<typeof Event.releaseSuperseded> = { by: f.supersededBy };
    out.push({ subject: Event.releaseSuperseded, data });
  }
  if (f.from !== f.to) {
    const data: PayloadOf<typeof Event.releaseProgressed> = {
      from: f.from,
      to: f.to,
      event: f.event,
      reason: ctx.lastReason,
      ...(f.to.startsWith("step.") || f.to === "paused" ? { step: ctx.stepIndex } : {}),
      weight: ctx.canaryWeight,
      ...(f.event === Event.analysisCompleted && ctx.lastVerdicts.length > 0
        ? { verdicts: ctx.lastVerdicts.map((v) => ({ metric: v.metric, verdict: v.verdict, reason: v.reason })) }
        : {}),
      ...(ctx.lastActor === null ? {} : { actor: ctx.lastActor }),
      seq: f.auditSeq,
    };
    out.push({ subject: Event.releaseProgressed, data });
    const machineWroteStatus = f.emitted.some((c) => c.subject === Command.statusWrite);
    if (!machineWroteStatus && !SILENT_STATUS.has(f.to)) {
      out.push({ subject: Command.statusWrite, data: statusWriteOf(ctx, f.to, f.now) });
    }
  }
  if (f.done && ctx.outcome !== null) {
    const approvedBy = ctx.approvals.filter((a) => a.decision === "granted" && a.actor !== null).map((a) => a.actor!);
    const data: PayloadOf<typeof Event.releaseCompleted> = {
      outcome: ctx.outcome,
      reason: ctx.lastReason,
      durationMs: Math.max(0, f.now - ctx.requestedAt),
      ...(approvedBy.length > 0 ? { approvedBy } : {}),
    };
    out.push({ subject: Event.releaseCompleted, data });
  }
  return out;
}
