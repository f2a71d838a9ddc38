/**
 * Keeping a {@link ReleaseView} current from `evt.release.*`. Pure. The KV entry is saved before the
 * events are published, so a progressed event at or below the view's `lastSeq` is already shown
 * and is skipped; the numbers of verdicts come from the KV entry afterwards ({@link enrichFromKv}).
 */
import { Event } from "../../../schemas/subjects.js";
import type { ReleaseEvent } from "./ports.js";
import { actorOf, stepCountOf, stepShown, timeOf, verdictOf, type ReleaseView, type VerdictLine } from "../../runtime/release-view.js";

/** An empty view of a release first seen through an event. */
export function blankView(releaseId: string): ReleaseView {
  return {
    releaseId,
    rollout: releaseId.split("/").slice(0, 2).join("/"),
    version: releaseId.split("/")[2] ?? null,
    stableVersion: null,
    state: "requested",
    done: false,
    outcome: null,
    step: null,
    steps: null,
    weight: 0,
    verdicts: [],
    reason: "",
    actor: null,
    requestedBy: null,
    requestedAt: null,
    updatedAt: null,
    completedAt: null,
    awaitingApproval: false,
    approvals: [],
    lastSeq: null,
    audit: [],
  };
}

/** The view after `ev`, and whether anything shown changed. Events without a releaseId change nothing. */
export function applyReleaseEvent(view: ReleaseView | undefined, ev: ReleaseEvent): { view: ReleaseView | undefined; changed: boolean } {
  const releaseId = ev.releaseId;
  if (releaseId === undefined) return { view, changed: false };
  const at = timeOf(ev.occurredAt);
  const base = view ?? blankView(releaseId);
  switch (ev.type) {
    case Event.releaseRequested: {
      if (view !== undefined) return { view, changed: false };
      const d = ev.data;
      return {
        view: {
          ...base,
          rollout: `${d.rollout.namespace}/${d.rollout.name}`,
          version: d.version,
          stableVersion: d.spec.stableVersion,
          steps: stepCountOf(d.spec),
          reason: `release of ${d.version} requested`,
          requestedBy: actorOf(d.requestedBy),
          actor: actorOf(d.requestedBy),
          requestedAt: at,
          updatedAt: at,
        },
        changed: true,
      };
    }
    case Event.releaseProgressed: {
      const d = ev.data;
      if (base.lastSeq !== null && d.seq <= base.lastSeq) return { view, changed: false };
      const verdicts = d.verdicts === undefined ? base.verdicts : d.verdicts.map(verdictOf).filter((v): v is VerdictLine => v !== null);
      const actor = d.actor === undefined ? null : actorOf(d.actor);
      return {
        view: {
          ...base,
          state: d.to,
          step: stepShown(d.to, d.step ?? base.step),
          weight: d.weight,
          verdicts,
          reason: d.reason,
          actor,
          updatedAt: at,
          awaitingApproval: d.to.endsWith("awaitingApproval"),
          lastSeq: d.seq,
          audit: [...base.audit, { seq: d.seq, at, event: d.event, from: d.from, to: d.to, reason: d.reason, actor }],
        },
        changed: true,
      };
    }
    case Event.releaseCompleted: {
      if (base.done && view !== undefined && base.outcome !== null) return { view, changed: false };
      // The orchestrator's own clock: request time plus its duration (the envelope's time is when it was published).
      const completedAt = base.requestedAt !== null ? base.requestedAt + ev.data.durationMs : at;
      return { view: { ...base, done: true, outcome: ev.data.outcome, reason: ev.data.reason, completedAt, updatedAt: at }, changed: true };
    }
    case Event.releaseSuperseded:
      return { view: { ...base, reason: `superseded by ${ev.data.by}` }, changed: true };
    default:
      return { view, changed: false };
  }
}

/**
 * Fill what events do not carry from the release's KV entry: the step count, versions, request,
 * and the numbers of verdicts of the same interval (same metric, verdict and reason).
 */
export function enrichFromKv(view: ReleaseView, kv: ReleaseView | null): ReleaseView {
  if (kv === null) return view;
  const verdicts = view.verdicts.map((v) => {
    // Numbers only from the same interval: the KV entry may already hold a later one (same reason text).
    const k = kv.verdicts.find((x) => x.metric === v.metric && x.verdict === v.verdict && x.reason === v.reason);
    if (k === undefined) return v;
    return {
      ...v,
      ...(k.canary === undefined ? {} : { canary: k.canary }),
      ...(k.stable === undefined ? {} : { stable: k.stable }),
      ...(k.threshold === undefined ? {} : { threshold: k.threshold }),
      ...(k.critical === undefined ? {} : { critical: k.critical }),
    };
  });
  return {
    ...view,
    rollout: kv.rollout,
    version: view.version ?? kv.version,
    stableVersion: view.stableVersion ?? kv.stableVersion,
    steps: view.steps ?? kv.steps,
    requestedBy: view.requestedBy ?? kv.requestedBy,
    requestedAt: view.requestedAt ?? kv.requestedAt,
    completedAt: kv.completedAt ?? view.completedAt,
    approvals: kv.approvals,
    verdicts,
  };
}
