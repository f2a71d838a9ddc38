/**
 * Plays one story: scripts the release's faults, pushes its tag through sim-git, follows
 * `evt.release.*` and friends, answers Slack approvals as the simulated on-call, and waits (bounded)
 * for `evt.release.completed`. Everything goes through {@link DemoPorts}.
 */
import type { MessageOf } from "../../../schemas/codec.js";
import type { Subject } from "../../../schemas/subjects.js";
import { vmNameFor } from "../../../schemas/rollout-defaults.js";
import { Event } from "../../../schemas/subjects.js";
import { waitFor } from "../../world/wait.js";
import type { DemoPorts, SlackMessage } from "./ports.js";
import { progressText, slackText } from "./render.js";
import { judgeStory } from "./stories.js";
import type { ProgressRecord, StoryResult, StoryScript } from "./types.js";

/** The action id of approval-gateway's Approve button. */
export const APPROVE_ACTION = "siskin_approval_approve";

/** What the player needs besides the ports. */
export interface PlayContext {
  ports: DemoPorts;
  rollout: { namespace: string; name: string; service: string; repository: string };
  /** Who clicks Approve. */
  onCall: { id: string; name: string };
  /** Bound on one release, push to completion. */
  timeoutMs: number;
  /** Receives every record as it happens (the terminal). */
  onRecord?: (tag: string, r: ProgressRecord) => void;
  /** Slack messages already seen (shared across stories, so each is printed once). */
  slackSeen: Map<string, number>;
}

type Msg = MessageOf<Subject>;
const hasApprove = (m: SlackMessage) => JSON.stringify(m.blocks ?? []).includes(APPROVE_ACTION);
const actorLabel = (a: { id: string; name?: string }) => a.name ?? a.id;

/** Play one story; never throws for a release that goes wrong (that is a result), only for a broken world. */
export async function playStory(script: StoryScript, ctx: PlayContext): Promise<StoryResult> {
  const { ports, rollout } = ctx;
  const version = script.tag;
  const releaseId = `${rollout.namespace}/${rollout.name}/${version}`;
  const info = await ports.kube.rollout(rollout.namespace, rollout.name);
  const stableBefore = info.stableVersion;
  const startedAt = ports.clock();
  const progress: ProgressRecord[] = [];
  const weights: number[] = [];
  const approvedBy = new Set<string>();
  const problems: string[] = [];
  const clicked = new Set<string>();
  // Held: the workflow said so, or a live migration came and went without a weight change.
  let heldSaid = false;
  let migration: { weightsBefore: number; weightsAfter: number | null } | null = null;
  const held = (): boolean => heldSaid || (migration !== null && migration.weightsAfter === migration.weightsBefore);
  let outcome: string | null = null;
  let reason = "";
  let decidedAt: number | null = null;
  let rollbackAt: number | null = null;
  let completedAt: number | null = null;
  let faultAt: number | null = null;
  let faultStarted = false;

  const record = (r: Omit<ProgressRecord, "atMs">): void => {
    const rec = { atMs: ports.clock() - startedAt, ...r };
    progress.push(rec);
    ctx.onRecord?.(script.tag, rec);
  };

  const injectFault = async (): Promise<void> => {
    const f = script.fault;
    if (f === undefined) return;
    if (f.kind === "canaryAnnotations") {
      faultAt = ports.clock();
      await ports.kube.patchVmiAnnotations(rollout.namespace, vmNameFor(rollout.service, version), f.annotations);
      record({ kind: "fault", text: `${f.label} (${Object.entries(f.annotations).map(([k, v]) => `${k}=${v}`).join(", ")} on VMI ${vmNameFor(rollout.service, version)})` });
      return;
    }
    const vmis = await ports.kube.listVmis(rollout.namespace, `app=${rollout.service}`);
    const stable = vmis.find((v) => v.ready && v.version === stableBefore) ?? vmis.find((v) => v.ready && v.version !== version);
    if (stable === undefined) throw new Error(`no Ready stable VMI of ${rollout.service} to migrate (stable version ${stableBefore})`);
    await ports.kube.patchVmiAnnotations(rollout.namespace, stable.name, { "sim.siskin.dev/migration-seconds": String(f.migrationSeconds) });
    faultAt = ports.clock();
    const vmim = await ports.kube.migrate(rollout.namespace, stable.name);
    record({ kind: "fault", text: `${f.label}: VirtualMachineInstanceMigration ${vmim} for VMI ${stable.name} (${f.migrationSeconds} s)` });
  };

  const onMessage = (msg: Msg): void => {
    const about = msg.data as { version?: string; rollout?: { namespace: string; name: string } };
    const ofRollout = about.rollout?.namespace === rollout.namespace && about.rollout.name === rollout.name;
    const isMigration = msg.type === Event.vmMigrationStarted || msg.type === Event.vmMigrationCompleted;
    const mine = msg.releaseId === releaseId || (msg.type === Event.alertFired && about.version === version) || (isMigration && ofRollout);
    if (!mine) return;
    switch (msg.type) {
      case Event.releaseRequested:
        record({ kind: "note", text: `release ${releaseId} requested by ${actorLabel((msg as MessageOf<typeof Event.releaseRequested>).data.requestedBy)}` });
        return;
      case Event.releaseProgressed: {
        const p = (msg as MessageOf<typeof Event.releaseProgressed>).data;
        if (/migrat/i.test(p.reason) && !p.to.startsWith("rollingBack")) heldSaid = true;
        const now = ports.clock();
        if (p.to.startsWith("rollingBack") && rollbackAt === null) rollbackAt = now;
        if (decidedAt === null && (p.to.startsWith("rollingBack") || p.to.startsWith("finalizing"))) decidedAt = now;
        record({ kind: "progress", text: progressText(p, info.steps), state: p.to, weight: p.weight, ...(p.step === undefined ? {} : { step: p.step }), ...(p.verdicts === undefined ? {} : { verdicts: p.verdicts }) });
        return;
      }
      case Event.releaseCompleted: {
        const c = (msg as MessageOf<typeof Event.releaseCompleted>).data;
        outcome = c.outcome;
        reason = c.reason;
        completedAt = ports.clock();
        for (const a of c.approvedBy ?? []) approvedBy.add(actorLabel(a));
        record({ kind: "note", text: `completed: ${c.outcome} — ${c.reason}` });
        return;
      }
      case Event.trafficWeightsSet: {
        const w = (msg as MessageOf<typeof Event.trafficWeightsSet>).data.canaryWeight;
        weights.push(w);
        record({ kind: "traffic", text: `VirtualService ${rollout.service}: canary ${w} %, stable ${100 - w} %` });
        const f = script.fault;
        if (f !== undefined && !faultStarted && w >= f.atWeight && w < 100) {
          faultStarted = true;
          injectFault().catch((err: unknown) => problems.push(`could not inject the fault: ${(err as Error).message}`));
        }
        return;
      }
      case Event.approvalGranted:
      case Event.approvalDenied: {
        const d = (msg as MessageOf<typeof Event.approvalGranted>).data;
        if (msg.type === Event.approvalGranted) approvedBy.add(actorLabel(d.actor));
        record({ kind: "approval", text: `${msg.type === Event.approvalGranted ? "approved" : "rejected"} by ${actorLabel(d.actor)} (${d.actor.kind})` });
        return;
      }
      case Event.alertFired: {
        const a = (msg as MessageOf<typeof Event.alertFired>).data;
        record({ kind: "alert", text: `${a.alertname} firing${a.annotations["summary"] ? `: ${a.annotations["summary"]}` : ""}` });
        return;
      }
      case Event.vmProvisioned:
        record({ kind: "vm", text: `canary VM ${(msg as MessageOf<typeof Event.vmProvisioned>).data.vm.name} provisioned` });
        return;
      case Event.vmStopped: {
        const s = (msg as MessageOf<typeof Event.vmStopped>).data;
        record({ kind: "vm", text: `${s.version} stopped: ${s.vms.join(", ") || "(no VMs)"}` });
        return;
      }
      case Event.vmMigrationStarted:
      case Event.vmMigrationCompleted:
      {
        const vmi = (msg.data as { vmi: { name: string } }).vmi.name;
        // The watcher reports a migration from the VMI and from its VMIM; say it once.
        if (msg.type === Event.vmMigrationStarted) {
          if (migration !== null) return;
          migration = { weightsBefore: weights.length, weightsAfter: null };
          record({ kind: "vm", text: `live migration of ${vmi} started: weight changes wait until it ends` });
          return;
        }
        if (migration === null || migration.weightsAfter !== null) return;
        migration.weightsAfter = weights.length;
        const same = migration.weightsAfter === migration.weightsBefore;
        record({ kind: "vm", text: `live migration of ${vmi} completed${same ? ": no weight changed meanwhile, the step's bake was extended" : ""}` });
        return;
      }
      default:
        return;
    }
  };

  /** Print new and edited Slack messages; the on-call approves what asks for it. */
  const slackTick = async (): Promise<void> => {
    for (const m of await ports.slack.messages()) {
      const key = `${m.channel}/${m.ts}`;
      const versions = (m.history ?? []).length;
      const seen = ctx.slackSeen.get(key);
      if (seen === undefined || seen !== versions) {
        ctx.slackSeen.set(key, versions);
        // The thread mirrors every transition (":arrow_forward:") and its parent is edited each time: kept
        // in the report, not printed twice. Approval messages and their edits are shown.
        const approvalMsg = hasApprove(m) || (m.history ?? []).some((h) => JSON.stringify(h).includes(APPROVE_ACTION));
        const quiet = m.text.startsWith(":arrow_forward:") || (seen !== undefined && !approvalMsg);
        record({ kind: "slack", text: slackText(m.text, seen !== undefined), ...(quiet ? { quiet: true } : {}) });
      }
      if (hasApprove(m) && !clicked.has(key) && JSON.stringify(m).includes(version)) {
        clicked.add(key);
        record({ kind: "approval", text: `@${ctx.onCall.name} clicks Approve in Slack` });
        await ports.slack.click({ channel: m.channel, ts: m.ts, actionId: APPROVE_ACTION, user: ctx.onCall });
      }
    }
  };

  const unsubscribe = ports.feed.subscribe(onMessage);
  try {
    if (script.templateAnnotations !== undefined) {
      await ports.kube.patchTemplateAnnotations(rollout.namespace, rollout.name, script.templateAnnotations);
      record({ kind: "fault", text: `VMRollout template for this release: ${Object.entries(script.templateAnnotations).map(([k, v]) => `${k}=${v}`).join(", ")}` });
    }
    const pushed = await ports.git.pushTag(rollout.repository, script.tag);
    record({ kind: "note", text: `tag ${script.tag} pushed to ${rollout.repository} (GitHub delivery → release-trigger: HTTP ${pushed.status})` });
    if (pushed.status !== 202 || !JSON.stringify(pushed.body).includes(releaseId)) {
      problems.push(`release-trigger did not accept the tag: HTTP ${pushed.status} ${JSON.stringify(pushed.body)}`);
    } else {
      await waitFor(
        async () => {
          await slackTick().catch((err: unknown) => record({ kind: "note", text: `sim-slack: ${(err as Error).message}` }));
          return outcome !== null;
        },
        { timeoutMs: ctx.timeoutMs, intervalMs: 250, what: `${releaseId} to complete` },
      ).catch(() => undefined);
      if (outcome === "promoted" && script.expectStableStopped === true) {
        const vm = vmNameFor(rollout.service, stableBefore);
        await waitFor(() => ports.kube.vmStopped(rollout.namespace, vm), { timeoutMs: 30_000, intervalMs: 250, what: `VM ${vm} to stop` }).catch(() => undefined);
      }
      await slackTick().catch(() => undefined);
    }
  } finally {
    unsubscribe();
    if (script.templateAnnotations !== undefined) {
      const undo = Object.fromEntries(Object.keys(script.templateAnnotations).map((k) => [k, null]));
      await ports.kube.patchTemplateAnnotations(rollout.namespace, rollout.name, undo).catch((err: unknown) => problems.push((err as Error).message));
    }
  }

  let stableStopped: boolean | undefined;
  if (script.expectStableStopped === true) {
    stableStopped = await ports.kube.vmStopped(rollout.namespace, vmNameFor(rollout.service, stableBefore)).catch(() => false);
    if (stableStopped) record({ kind: "vm", text: `VM ${vmNameFor(rollout.service, stableBefore)} (${stableBefore}) is stopped` });
  }
  const reactionMs = rollbackAt !== null && faultAt !== null ? Math.max(0, (rollbackAt as number) - (faultAt as number)) : null;
  const observed = { outcome, reason: reason || (progress.at(-1)?.text ?? ""), approvedBy: [...approvedBy], held: held(), stableStopped, reactionMs };
  const all = [...problems, ...judgeStory(script, observed)];
  return {
    tag: script.tag,
    version,
    releaseId,
    title: script.title,
    expected: script.expect,
    outcome,
    reason: observed.reason,
    approvedBy: observed.approvedBy,
    held: observed.held,
    ...(stableStopped === undefined ? {} : { stableStopped }),
    stableBefore,
    startedAt,
    decidedAfterMs: decidedAt === null ? null : (decidedAt as number) - startedAt,
    reactionMs,
    durationMs: completedAt === null ? null : (completedAt as number) - startedAt,
    weights,
    progress,
    problems: all,
    ok: all.length === 0,
  };
}
