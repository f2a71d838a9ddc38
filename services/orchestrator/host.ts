/**
 * The orchestrator's pure core: apply one event to one release's stored state, as xstate's
 * serverless example does — `transition(machine, machine.resolveState(snapshot), event)` — and
 * return the new record and the messages to publish. No NATS, no KV, no clock: the caller loads
 * the record (with its revision), calls this, saves with the revision check, then publishes.
 *
 * Idempotency: every message gets msgId `${releaseId}:${seq}`, seq counting every message of the
 * release's life. A crash before the save replays the event on the old record and gets the same
 * ids (JetStream drops the duplicates); a crash after the save but before publishing redelivers
 * the same event, and the record's outbox (kept with the last event's key) is returned again.
 */
import { initialTransition, transition } from "xstate";
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import type { PayloadOf } from "../../schemas/codec.js";
import { Event, releaseIdOf } from "../../schemas/subjects.js";
import {
  actorOf,
  canaryMachine,
  commandsOf,
  MACHINE_ID,
  MACHINE_VERSION,
  migrateSnapshot,
  statePath,
  type AcceptedSubject,
  type CanaryContext,
  type WorkflowEvent,
} from "../../workflows/canary/index.js";

import { hostMessages, type AuditEntry, type OutgoingDraft } from "./host-messages.js";

export type { AuditEntry, OutgoingDraft } from "./host-messages.js";

/** Audit entries kept per release (the oldest are dropped; `seq` keeps counting). */
export const AUDIT_LIMIT = 500;

/** A message to publish: subject, payload, and the deterministic JetStream msgId. */
export type HostCommand = OutgoingDraft & { msgId: string; releaseId: string; causationId?: string };

/** What the orchestrator keeps per release (the KV value). JSON-safe. */
export interface StoredRelease {
  machine: string;
  version: number;
  releaseId: string;
  /** `getPersistedSnapshot()` of the machine. */
  snapshot: unknown;
  /** Messages emitted so far; the next one gets msgId `${releaseId}:${seq}`. */
  seq: number;
  /** Audit entries written so far (the next entry's seq). */
  auditSeq: number;
  audit: AuditEntry[];
  /** Key of the last applied event and the messages it produced, for redeliveries after a crash. */
  lastEvent: string | null;
  outbox: HostCommand[];
}

/** What the host accepts: a decoded message the machine reads, a release request, or an internal event. */
export type HostEvent =
  | MessageOf<AcceptedSubject>
  | MessageOf<typeof Event.releaseRequested>
  | { type: "tick" }
  | { type: "siskin.superseded"; by: string }
  | { type: "siskin.start"; stableVersion?: string };

/** The outcome of {@link applyEvent}. */
export interface ApplyResult {
  stored: StoredRelease;
  /** Messages to publish, in order (also kept as `stored.outbox`). */
  commands: HostCommand[];
  /** Audit entries this event added. */
  audit: AuditEntry[];
  /** False when nothing changed (no save, nothing to publish). */
  changed: boolean;
  /** True when the event had already been applied (the outbox is returned again). */
  redelivered: boolean;
  state: string;
  done: boolean;
  context: CanaryContext;
}

/** Options of {@link applyEvent}. */
export interface ApplyOptions {
  /** Start the release in `queued` behind this (still live) release. Only for a new release. */
  queuedBehind?: string | null;
}

type Snap = ReturnType<typeof canaryMachine.resolveState>;

function keyOf(event: HostEvent, now: number): string {
  if ("id" in event && typeof event.id === "string") return event.id;
  return `${event.type}@${now}`;
}

/** The decoded message or internal event as the machine's event (stamped with `now`). */
export function toWorkflowEvent(event: HostEvent, now: number): WorkflowEvent {
  return { ...event, now } as WorkflowEvent;
}

function actorField(event: HostEvent, now: number): { actor?: CanaryContext["requestedBy"] } {
  if (event.type === Event.releaseRequested) return { actor: event.data.requestedBy };
  const a = actorOf(toWorkflowEvent(event, now));
  return a === null ? {} : { actor: a };
}

function restore(stored: StoredRelease): Snap {
  const snapshot = migrateSnapshot({ machine: stored.machine, version: stored.version, snapshot: stored.snapshot });
  return canaryMachine.resolveState(snapshot as Parameters<typeof canaryMachine.resolveState>[0]);
}

/** The history line of a prune's outcome (`evt.vm.pruned`, `evt.traffic.pruned`), or null for other events. */
function pruneAuditReason(event: HostEvent): string | null {
  const list = (xs: readonly string[]) => (xs.length === 0 ? "nothing" : xs.join(", "));
  if (event.type === Event.vmPruned) {
    const d = event.data as PayloadOf<typeof Event.vmPruned>;
    return `revision history: deleted ${d.vms.length === 0 ? "no VirtualMachine" : `VirtualMachines ${d.vms.join(", ")}`} of ${list(d.removed)}; kept ${list(d.kept)}`;
  }
  if (event.type === Event.trafficPruned) {
    const d = event.data as PayloadOf<typeof Event.trafficPruned>;
    const traffic = d.withTraffic.length === 0 ? "" : `; left ${d.withTraffic.join(", ")} alone (still gets traffic)`;
    return `revision history: removed the routes' destinations (${list(d.destinations)}) and subsets (${list(d.subsets)}) of ${list(d.removed)}${traffic}`;
  }
  return null;
}

/** The state path and context of a stored release. */
export function inspect(stored: StoredRelease): { state: string; done: boolean; context: CanaryContext } {
  const s = restore(stored);
  return { state: statePath(s.value as Parameters<typeof statePath>[0]), done: s.status === "done", context: s.context };
}

/** Apply one event at `now` to a release (null: the event must be its `evt.release.requested`). */
export function applyEvent(stored: StoredRelease | null, event: HostEvent, now: number, opts: ApplyOptions = {}): ApplyResult {
  const key = keyOf(event, now);
  if (stored !== null && stored.lastEvent === key) {
    const info = inspect(stored);
    return { stored, commands: stored.outbox, audit: [], changed: false, redelivered: true, ...info };
  }
  let prev: Snap | null = null;
  let next: Snap;
  let actions: ReadonlyArray<{ type: string; params?: unknown }>;
  let releaseId: string;
  if (stored === null) {
    if (event.type !== Event.releaseRequested) {
      throw new SiskinError("SISKIN_ERR_NOT_FOUND", `no stored release for ${event.type}: only evt.release.requested starts a release; the event cannot apply`);
    }
    const req = event.data;
    releaseId = event.releaseId ?? releaseIdOf(req.rollout.namespace, req.rollout.name, req.version);
    [next, actions] = initialTransition(canaryMachine, { releaseId, request: req, now, queuedBehind: opts.queuedBehind ?? null });
  } else {
    releaseId = stored.releaseId;
    if (event.type === Event.releaseRequested) {
      const info = inspect(stored);
      return { stored, commands: [], audit: [], changed: false, redelivered: true, ...info };
    }
    prev = restore(stored);
    [next, actions] = transition(canaryMachine, prev, toWorkflowEvent(event, now));
  }
  const snapshot = JSON.parse(JSON.stringify(canaryMachine.getPersistedSnapshot(next))) as unknown;
  const emitted = commandsOf(actions);
  const from = prev === null ? "new" : statePath(prev.value as Parameters<typeof statePath>[0]);
  const to = statePath(next.value as Parameters<typeof statePath>[0]);
  const done = next.status === "done";
  const changed = stored === null || emitted.length > 0 || JSON.stringify(snapshot) !== JSON.stringify(stored.snapshot);
  if (!changed && stored !== null) {
    // What a finished release's prune removed goes into its history, though the machine has ended.
    const pruned = pruneAuditReason(event);
    if (pruned !== null && prev?.status === "done") {
      const entry: AuditEntry = { seq: stored.auditSeq, event: event.type, from, to, reason: pruned, at: now };
      const record: StoredRelease = { ...stored, auditSeq: stored.auditSeq + 1, audit: [...stored.audit, entry].slice(-AUDIT_LIMIT), lastEvent: key, outbox: [] };
      return { stored: record, commands: [], audit: [entry], changed: true, redelivered: false, state: to, done, context: next.context };
    }
    return { stored, commands: [], audit: [], changed: false, redelivered: false, state: to, done, context: next.context };
  }
  const auditSeq = stored?.auditSeq ?? 0;
  const ctx = next.context;
  const supersededBy = event.type === "siskin.superseded" && prev !== null && prev.status !== "done" ? event.by : null;
  const drafts: OutgoingDraft[] = [
    ...emitted,
    ...hostMessages({ ctx, from, to, event: event.type, now, done, auditSeq, emitted, supersededBy }),
  ];
  let seq = stored?.seq ?? 0;
  const causation = "id" in event && typeof event.id === "string" ? { causationId: event.id } : {};
  const commands = drafts.map((d) => ({ ...d, msgId: `${releaseId}:${seq++}`, releaseId, ...causation }) as HostCommand);
  const entry: AuditEntry = {
    seq: auditSeq,
    event: event.type,
    from,
    to,
    reason: ctx.lastReason,
    ...actorField(event, now),
    at: now,
  };
  const audit = [...(stored?.audit ?? []), entry].slice(-AUDIT_LIMIT);
  const record: StoredRelease = {
    machine: MACHINE_ID,
    version: MACHINE_VERSION,
    releaseId,
    snapshot,
    seq,
    auditSeq: auditSeq + 1,
    audit,
    lastEvent: key,
    outbox: commands,
  };
  return { stored: record, commands, audit: [entry], changed: true, redelivered: false, state: to, done, context: ctx };
}
