// Pure: the facts a change of one VirtualMachineInstance means. The watcher calls it with the last
// state it knew (from a watch event, or from memory / KV after a relist) and the state it sees now,
// so a transition that happened while disconnected is still reported, once.
import type { PayloadOf } from "../../schemas/codec.js";
import { SiskinLabel } from "../../schemas/rollout-index.js";
import { Event } from "../../schemas/subjects.js";
import { VmiPhase } from "../../schemas/vm.js";
import { metaOf, type MigrationState, type Vmi } from "./kube-types.js";

/** The subjects the watcher publishes. */
export type WatcherSubject =
  | typeof Event.vmPhaseChanged
  | typeof Event.vmReadyChanged
  | typeof Event.vmMigrationStarted
  | typeof Event.vmMigrationCompleted
  | typeof Event.vmMigrationFailed
  | typeof Event.vmCrashed
  | typeof Event.vmDeleted
  | typeof Event.rolloutSpecChanged
  | typeof Event.rolloutDriftDetected;

/** One fact to publish: subject, deterministic id (the JetStream msgID) and payload. */
export type Fact = {
  [S in WatcherSubject]: { subject: S; id: string; data: PayloadOf<S>; releaseId?: string };
}[WatcherSubject];

/** Options of {@link factsFor}. */
export interface FactOptions {
  /** The label carrying the version (the rollout's `versionLabel`); default `version`. */
  versionLabel?: string;
}

const dnsName = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const knownPhases: ReadonlySet<string> = new Set(VmiPhase);

/** The fields every VMI fact carries, from the VMI's metadata and labels. */
export function vmiFactBase(vmi: Vmi, opts: FactOptions = {}): PayloadOf<typeof Event.vmDeleted> {
  const { name, namespace, rv } = metaOf(vmi);
  const labels = vmi.metadata?.labels ?? {};
  const base: PayloadOf<typeof Event.vmDeleted> = { vmi: { namespace, name }, resourceVersion: rv };
  const version = labels[opts.versionLabel ?? "version"];
  if (version) base.version = version;
  if (labels.app) base.app = labels.app;
  const rollout = labels[SiskinLabel.rollout];
  // A label value may hold characters no object name can; such a label names no rollout.
  if (rollout && dnsName.test(rollout)) base.rollout = { namespace, name: rollout };
  return base;
}

/** The VMI phase as the schema knows it: unset is `""`, a phase newer than this build is `Unknown`. */
export function phaseOf(vmi: Vmi | undefined): VmiPhase {
  const p = vmi?.status?.phase ?? "";
  return knownPhases.has(p) ? (p as VmiPhase) : "Unknown";
}

/** True when the VMI's `Ready` condition is `True`. */
export function isReady(vmi: Vmi | undefined): boolean {
  return vmi?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

function readyReason(vmi: Vmi): string | undefined {
  const c = vmi.status?.conditions?.find((x) => x.type === "Ready");
  return c?.reason || c?.message || undefined;
}

/** True when the VMI reached Running at some point (its phase history says so). */
function wasRunning(vmi: Vmi | undefined): boolean {
  if (vmi === undefined) return false;
  if (vmi.status?.phase === "Running") return true;
  return vmi.status?.phaseTransitionTimestamps?.some((t) => t.phase === "Running") ?? false;
}

/** The key of one migration: its uid, else its start time (old KubeVirt), else nothing. */
function migrationKey(ms: MigrationState | undefined): string | undefined {
  return ms?.migrationUid || ms?.startTimestamp || undefined;
}

/** Ended: `completed` (success or abort) or `failed`. */
function outcome(ms: MigrationState | undefined): "running" | "completed" | "failed" {
  if (ms?.failed === true) return "failed";
  if (ms?.completed === true) return "completed";
  return "running";
}

/** Fact id: `vm:<uid>:<fact>:<key>`; the same transition always gets the same id. */
export function factId(uid: string, fact: string, key: string): string {
  return `vm:${uid}:${fact}:${key}`;
}

function migrationFacts(prev: Vmi | undefined, next: Vmi, opts: FactOptions): Fact[] {
  const ms = next.status?.migrationState;
  const key = migrationKey(ms);
  if (ms === undefined || key === undefined) return [];
  const before = prev?.status?.migrationState;
  const sameMigration = migrationKey(before) === key;
  const was = sameMigration ? outcome(before) : undefined;
  const now = outcome(ms);
  if (was === now) return [];
  const { uid } = metaOf(next);
  const data: PayloadOf<typeof Event.vmMigrationStarted> = { ...vmiFactBase(next, opts) };
  if (ms.migrationUid) data.migrationUid = ms.migrationUid;
  if (ms.sourceNode) data.sourceNode = ms.sourceNode;
  if (ms.targetNode) data.targetNode = ms.targetNode;
  if (now === "running") {
    return [{ subject: Event.vmMigrationStarted, id: factId(uid, "migration_started", key), data }];
  }
  if (now === "completed") {
    return [{ subject: Event.vmMigrationCompleted, id: factId(uid, "migration_completed", key), data }];
  }
  const reason = ms.failureReason || (ms.abortStatus === "Succeeded" ? "migration aborted" : "migration failed");
  return [{ subject: Event.vmMigrationFailed, id: factId(uid, "migration_failed", key), data: { ...data, reason } }];
}

/**
 * The facts that the change `prev → next` of one VMI means (both undefined-able: `prev` undefined
 * is a VMI seen for the first time, `next` undefined a deleted one). Ids are deterministic:
 * `vm:<uid>:<fact>:<resourceVersion>` for phase and readiness, the migration uid for migrations,
 * and a fixed key for crashes and deletion (they happen once per VMI), so re-delivered or
 * re-derived facts are dropped by JetStream's duplicate window.
 */
export function factsFor(prev: Vmi | undefined, next: Vmi | undefined, opts: FactOptions = {}): Fact[] {
  if (next === undefined) {
    if (prev === undefined) return [];
    const { uid } = metaOf(prev);
    return [{ subject: Event.vmDeleted, id: factId(uid, "deleted", "final"), data: vmiFactBase(prev, opts) }];
  }
  const facts: Fact[] = [];
  const { uid, rv } = metaOf(next);
  const base = vmiFactBase(next, opts);

  const phase = phaseOf(next);
  const previousPhase = prev === undefined ? undefined : phaseOf(prev);
  if (previousPhase !== phase && !(prev === undefined && phase === "")) {
    const data: PayloadOf<typeof Event.vmPhaseChanged> = { ...base, phase };
    if (previousPhase !== undefined) data.previousPhase = previousPhase;
    if (next.status?.nodeName) data.nodeName = next.status.nodeName;
    facts.push({ subject: Event.vmPhaseChanged, id: factId(uid, "phase_changed", rv), data });
  }

  const ready = isReady(next);
  if (ready !== isReady(prev)) {
    const data: PayloadOf<typeof Event.vmReadyChanged> = { ...base, ready };
    const reason = ready ? undefined : readyReason(next);
    if (reason !== undefined) data.reason = reason;
    facts.push({ subject: Event.vmReadyChanged, id: factId(uid, "ready_changed", rv), data });
  }

  facts.push(...migrationFacts(prev, next, opts));

  // Failed after Running is a crash; the phase history also catches a Running missed while away.
  if (phase === "Failed" && previousPhase !== "Failed" && (wasRunning(prev) || wasRunning(next))) {
    const reason = next.status?.reason || "VMI phase Failed after Running";
    facts.push({ subject: Event.vmCrashed, id: factId(uid, "crashed", "once"), data: { ...base, reason } });
  }
  return facts;
}
