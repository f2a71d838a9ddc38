/**
 * What a story observes of its release on the message feed: each message becomes a progress record,
 * and the facts the verdict needs (outcome, weights, approvers, a hold, when it decided and rolled back).
 */
import type { MessageOf } from "../../../schemas/codec.js";
import type { Subject } from "../../../schemas/subjects.js";
import { Event } from "../../../schemas/subjects.js";
import { progressText } from "./render.js";
import type { ProgressRecord, StoryScript } from "./types.js";

/** What one story saw so far (mutable; owned by playStory). */
export interface Observation {
  weights: number[];
  approvedBy: Set<string>;
  /** The workflow said it held (a live migration). */
  heldSaid: boolean;
  /** A live migration: the weight writes seen when it started and when it ended. */
  migration: { weightsBefore: number; weightsAfter: number | null } | null;
  outcome: string | null;
  reason: string;
  decidedAt: number | null;
  rollbackAt: number | null;
  completedAt: number | null;
  faultStarted: boolean;
}

/** A fresh observation. */
export function newObservation(): Observation {
  return { weights: [], approvedBy: new Set(), heldSaid: false, migration: null, outcome: null, reason: "", decidedAt: null, rollbackAt: null, completedAt: null, faultStarted: false };
}

/** Held: the workflow said so, or a live migration came and went without a weight change. */
export const wasHeld = (obs: Observation): boolean => obs.heldSaid || (obs.migration !== null && obs.migration.weightsAfter === obs.migration.weightsBefore);

/** What observing needs besides the observation. */
export interface ObserveEnv {
  releaseId: string;
  version: string;
  rollout: { namespace: string; name: string; service: string };
  /** Steps of the rollout (for "step i of n"). */
  steps: number;
  fault: StoryScript["fault"];
  clock: () => number;
  record: (r: Omit<ProgressRecord, "atMs">) => void;
  /** Start the story's fault (the first weight at or past its `atWeight`). */
  injectFault: () => void;
}

const actorLabel = (a: { id: string; name?: string }) => a.name ?? a.id;

/** Take one feed message into `obs`; messages of other releases are ignored. */
export function observeMessage(obs: Observation, msg: MessageOf<Subject>, env: ObserveEnv): void {
  const { releaseId, version, rollout } = env;
  const about = msg.data as { version?: string; rollout?: { namespace: string; name: string } };
  const ofRollout = about.rollout?.namespace === rollout.namespace && about.rollout.name === rollout.name;
  const isMigration = msg.type === Event.vmMigrationStarted || msg.type === Event.vmMigrationCompleted;
  const mine = msg.releaseId === releaseId || (msg.type === Event.alertFired && about.version === version) || (isMigration && ofRollout);
  if (!mine) return;
  switch (msg.type) {
    case Event.releaseRequested:
      env.record({ kind: "note", text: `release ${releaseId} requested by ${actorLabel((msg as MessageOf<typeof Event.releaseRequested>).data.requestedBy)}` });
      return;
    case Event.releaseProgressed: {
      const p = (msg as MessageOf<typeof Event.releaseProgressed>).data;
      if (/migrat/i.test(p.reason) && !p.to.startsWith("rollingBack")) obs.heldSaid = true;
      const now = env.clock();
      if (p.to.startsWith("rollingBack") && obs.rollbackAt === null) obs.rollbackAt = now;
      if (obs.decidedAt === null && (p.to.startsWith("rollingBack") || p.to.startsWith("finalizing"))) obs.decidedAt = now;
      env.record({ kind: "progress", text: progressText(p, env.steps), state: p.to, weight: p.weight, ...(p.step === undefined ? {} : { step: p.step }), ...(p.verdicts === undefined ? {} : { verdicts: p.verdicts }) });
      return;
    }
    case Event.releaseCompleted: {
      const c = (msg as MessageOf<typeof Event.releaseCompleted>).data;
      obs.outcome = c.outcome;
      obs.reason = c.reason;
      obs.completedAt = env.clock();
      for (const a of c.approvedBy ?? []) obs.approvedBy.add(actorLabel(a));
      env.record({ kind: "note", text: `completed: ${c.outcome} — ${c.reason}` });
      return;
    }
    case Event.trafficWeightsSet: {
      const set = (msg as MessageOf<typeof Event.trafficWeightsSet>).data;
      const w = set.canaryWeight;
      obs.weights.push(w);
      const shape = set.shape ?? "";
      const extra = shape.startsWith("mirror:") ? `; ${shape.slice("mirror:".length)} % mirrored to the canary (its answers discarded)` : shape.startsWith("match:") ? "; matching requests routed to the canary" : "";
      env.record({ kind: "traffic", text: `VirtualService ${env.rollout.service}: canary ${w} %, stable ${100 - w} %${extra}` });
      const f = env.fault;
      if (f !== undefined && !obs.faultStarted && w >= f.atWeight && w < 100) {
        obs.faultStarted = true;
        env.injectFault();
      }
      return;
    }
    case Event.approvalGranted:
    case Event.approvalDenied: {
      const d = (msg as MessageOf<typeof Event.approvalGranted>).data;
      if (msg.type === Event.approvalGranted) obs.approvedBy.add(actorLabel(d.actor));
      env.record({ kind: "approval", text: `${msg.type === Event.approvalGranted ? "approved" : "rejected"} by ${actorLabel(d.actor)} (${d.actor.kind})` });
      return;
    }
    case Event.alertFired: {
      const a = (msg as MessageOf<typeof Event.alertFired>).data;
      env.record({ kind: "alert", text: `${a.alertname} firing${a.annotations["summary"] ? `: ${a.annotations["summary"]}` : ""}` });
      return;
    }
    case Event.vmProvisioned:
      env.record({ kind: "vm", text: `canary VM ${(msg as MessageOf<typeof Event.vmProvisioned>).data.vm.name} provisioned` });
      return;
    case Event.vmStopped: {
      const s = (msg as MessageOf<typeof Event.vmStopped>).data;
      env.record({ kind: "vm", text: `${s.version} stopped: ${s.vms.join(", ") || "(no VMs)"}` });
      return;
    }
    case Event.vmMigrationStarted:
    case Event.vmMigrationCompleted:
    {
      const vmi = (msg.data as { vmi: { name: string } }).vmi.name;
      // The watcher reports a obs.migration from the VMI and from its VMIM; say it once.
      if (msg.type === Event.vmMigrationStarted) {
        if (obs.migration !== null) return;
        obs.migration = { weightsBefore: obs.weights.length, weightsAfter: null };
        env.record({ kind: "vm", text: `live migration of ${vmi} started: weight changes wait until it ends` });
        return;
      }
      if (obs.migration === null || obs.migration.weightsAfter !== null) return;
      obs.migration.weightsAfter = obs.weights.length;
      const same = obs.migration.weightsAfter === obs.migration.weightsBefore;
      env.record({ kind: "vm", text: `live migration of ${vmi} completed${same ? ": no weight changed meanwhile, the step's bake was extended" : ""}` });
      return;
    }
    default:
      return;
  }
}
