/**
 * Which release an event concerns, and what a new release request means for the rollout's live
 * one. Pure; the wiring keeps one {@link RolloutSlot} per rollout (KV bucket `siskin-rollouts`).
 *
 * Never two canaries: a request for a rollout with a live release supersedes it (it rolls its
 * canary back) and waits in `queued`; when the live one reaches a final state, the queued one
 * starts. A third request while one is queued supersedes both; only the newest one runs.
 */
import type { ReleaseOutcome, ReleaseRequested } from "../../schemas/release.js";
import { rolloutKey, Event } from "../../schemas/subjects.js";

/** A release as the rollout slot remembers it. */
export interface SlotRelease {
  releaseId: string;
  version: string;
}

/** What the orchestrator knows per rollout. JSON-safe. */
export interface RolloutSlot {
  rollout: { namespace: string; name: string };
  /** The Kubernetes Service (`app` label) of the rollout, to route VMI facts without a rollout label. */
  service: string;
  /** The version serving as stable, as far as the orchestrator knows. */
  stableVersion: string;
  /** The release that owns the rollout now (it may be rolling back). */
  live: SlotRelease | null;
  /** The release waiting for `live` to finish. */
  queued: SlotRelease | null;
  /** Recent idempotency keys (GitHub delivery ids), newest last. */
  keys: string[];
}

/** Slots by `rolloutKey(namespace, name)`. */
export type RolloutIndex = Readonly<Record<string, RolloutSlot>>;

/** Idempotency keys remembered per rollout. */
export const KEYS_KEPT = 100;

interface Routable {
  type: string;
  releaseId?: string | undefined;
  data?: unknown;
}

interface FactData {
  rollout?: { namespace: string; name: string };
  version?: string;
  canaryVersion?: string;
  app?: string;
  vmi?: { namespace: string; name: string };
}

function versionOf(d: FactData): string | undefined {
  return d.version ?? d.canaryVersion;
}

function liveFor(slot: RolloutSlot, d: FactData, vmFact: boolean): string[] {
  if (slot.live === null) return [];
  const v = versionOf(d);
  if (vmFact && v !== undefined && v !== slot.live.version && v !== slot.stableVersion) return [];
  if (!vmFact && d.canaryVersion !== undefined && d.canaryVersion !== slot.live.version) return [];
  return [slot.live.releaseId];
}

/**
 * The releases an event concerns: the envelope's releaseId when present; else the live release of
 * the rollout it names; else (VMI facts without a rollout label) the live release whose service and
 * namespace match the VMI's `app` and namespace, for its canary or stable version.
 */
export function routeEvent(msg: Routable, index: RolloutIndex): string[] {
  if (msg.releaseId !== undefined) return [msg.releaseId];
  if (msg.type === Event.releaseRequested || msg.type === "tick" || msg.type.startsWith("siskin.")) return [];
  const d = (typeof msg.data === "object" && msg.data !== null ? msg.data : {}) as FactData;
  const vmFact = msg.type.startsWith("evt.vm.");
  if (d.rollout !== undefined) {
    const slot = index[rolloutKey(d.rollout.namespace, d.rollout.name)];
    return slot === undefined ? [] : liveFor(slot, d, vmFact);
  }
  const out = new Set<string>();
  const v = versionOf(d);
  for (const slot of Object.values(index)) {
    if (slot.live === null) continue;
    if (vmFact && d.vmi !== undefined && d.app !== undefined) {
      if (d.vmi.namespace === slot.rollout.namespace && d.app === slot.service) liveFor(slot, d, true).forEach((r) => out.add(r));
    } else if (v !== undefined && v === slot.live.version) {
      // provisioned / provision_failed / analysis without an envelope releaseId: the canary version names it
      out.add(slot.live.releaseId);
    }
  }
  return [...out];
}

/** What to do with a release request. */
export type RequestDecision =
  | { kind: "duplicate"; reason: string }
  | { kind: "start"; releaseId: string }
  | { kind: "queue"; releaseId: string; queuedBehind: string; supersede: Array<{ releaseId: string; by: string }> };

/**
 * Decide a request for the rollout in `slot`. `exists`: a release with this id is already stored.
 * Returns the decision and the slot to save (unchanged for a duplicate).
 */
export function onReleaseRequested(
  slot: RolloutSlot | undefined,
  req: { releaseId: string; data: ReleaseRequested },
  opts: { exists: boolean },
): { decision: RequestDecision; slot: RolloutSlot } {
  const d = req.data;
  const base: RolloutSlot = slot ?? {
    rollout: { namespace: d.rollout.namespace, name: d.rollout.name },
    service: d.spec.service,
    stableVersion: d.spec.stableVersion,
    live: null,
    queued: null,
    keys: [],
  };
  const known = opts.exists || base.live?.releaseId === req.releaseId || base.queued?.releaseId === req.releaseId;
  if (known) return { decision: { kind: "duplicate", reason: `release ${req.releaseId} is already known` }, slot: base };
  if (base.keys.includes(d.idempotencyKey)) {
    return { decision: { kind: "duplicate", reason: `idempotency key ${d.idempotencyKey} was already handled` }, slot: base };
  }
  const keys = [...base.keys, d.idempotencyKey].slice(-KEYS_KEPT);
  const me: SlotRelease = { releaseId: req.releaseId, version: d.version };
  if (base.live === null) {
    return {
      decision: { kind: "start", releaseId: req.releaseId },
      slot: { ...base, service: d.spec.service, live: me, queued: null, keys },
    };
  }
  const supersede = [base.live, ...(base.queued === null ? [] : [base.queued])].map((r) => ({ releaseId: r.releaseId, by: req.releaseId }));
  return {
    decision: { kind: "queue", releaseId: req.releaseId, queuedBehind: base.live.releaseId, supersede },
    slot: { ...base, queued: me, keys },
  };
}

/**
 * A release reached a final state. Returns the slot to save and the queued release to start (send
 * it `siskin.start` with the stable version, which is the finished release's if it was promoted).
 */
export function onReleaseFinished(
  slot: RolloutSlot,
  releaseId: string,
  result: { outcome: ReleaseOutcome; version: string },
): { slot: RolloutSlot; start: { releaseId: string; stableVersion: string } | null } {
  const stableVersion = result.outcome === "promoted" && slot.live?.releaseId === releaseId ? result.version : slot.stableVersion;
  if (slot.queued?.releaseId === releaseId) return { slot: { ...slot, queued: null }, start: null };
  if (slot.live?.releaseId !== releaseId) return { slot, start: null };
  if (slot.queued === null) return { slot: { ...slot, stableVersion, live: null }, start: null };
  return {
    slot: { ...slot, stableVersion, live: slot.queued, queued: null },
    start: { releaseId: slot.queued.releaseId, stableVersion },
  };
}
