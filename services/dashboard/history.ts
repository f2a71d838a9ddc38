/**
 * What the charts draw beside the KV entry, which keeps only the current state: each release's
 * confirmed weights over time, its step boundaries and every analysis interval's verdicts, folded
 * from the EVENTS stream. Pure; bounded per release.
 */
import type { MessageOf } from "../../schemas/codec.js";
import { Event, type Subject } from "../../schemas/subjects.js";

/** The canary weight from `at` (ms) on. */
export interface WeightPoint {
  at: number;
  weight: number;
}

/** A step began (the workflow entered `step.*` with a new index). */
export interface StepMark {
  at: number;
  /** 0-based. */
  step: number;
}

/** One judged analysis interval. */
export interface IntervalMark {
  start: number;
  end: number;
  verdicts: Array<{ metric: string; verdict: string; reason: string; canary: number | null; stable: number | null }>;
}

/** The history of one release. */
export interface ReleaseHistory {
  weights: WeightPoint[];
  steps: StepMark[];
  intervals: IntervalMark[];
}

/** The most points kept per series of a release. */
export const MAX_POINTS = 500;

/** An empty history. */
export const emptyHistory = (): ReleaseHistory => ({ weights: [], steps: [], intervals: [] });

const push = <T>(list: T[], item: T) => {
  list.push(item);
  if (list.length > MAX_POINTS) list.splice(0, list.length - MAX_POINTS);
};

/**
 * Fold one event into the release's history (mutates and returns `h`). Returns whether anything the
 * charts show changed. Events without a release id, or of other subjects, change nothing.
 */
export function foldEvent(h: ReleaseHistory, msg: MessageOf<Subject>): boolean {
  const at = Date.parse(msg.occurredAt);
  if (Number.isNaN(at)) return false;
  switch (msg.type) {
    case Event.trafficWeightsSet: {
      const w = (msg as MessageOf<typeof Event.trafficWeightsSet>).data.canaryWeight;
      if (h.weights.at(-1)?.weight === w) return false;
      push(h.weights, { at, weight: w });
      return true;
    }
    case Event.releaseProgressed: {
      const d = (msg as MessageOf<typeof Event.releaseProgressed>).data;
      let changed = false;
      if (h.weights.length === 0) {
        push(h.weights, { at, weight: d.weight });
        changed = true;
      }
      if (d.step !== undefined && d.to.startsWith("step.") && h.steps.at(-1)?.step !== d.step) {
        push(h.steps, { at, step: d.step });
        changed = true;
      }
      return changed;
    }
    case Event.analysisCompleted: {
      const d = (msg as MessageOf<typeof Event.analysisCompleted>).data;
      push(h.intervals, {
        start: d.windowStart,
        end: d.windowEnd,
        verdicts: d.verdicts.map((v) => ({ metric: v.metric, verdict: v.verdict, reason: v.reason, canary: v.canary, stable: v.stable })),
      });
      return true;
    }
    default:
      return false;
  }
}

/** Subjects {@link foldEvent} reads. */
export const historySubjects: ReadonlySet<string> = new Set([Event.trafficWeightsSet, Event.releaseProgressed, Event.analysisCompleted]);
