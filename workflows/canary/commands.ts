/**
 * Commands the workflow emits, as data. Each is an xstate action named `emit<Something>` whose
 * `params` are `{subject, data}`; `transition()` returns them unexecuted and the host publishes
 * them. Builders here are pure functions of the context.
 */
import type { PayloadOf } from "../../schemas/codec.js";
import { resolveRollout, vmNameFor } from "../../schemas/rollout-defaults.js";
import { Command, type CommandSubject } from "../../schemas/subjects.js";
import { tryPlanSteps } from "./steps.js";
import type { ApprovalRecord, CanaryContext } from "./types.js";

/** A command the workflow asks the host to publish. */
export type WorkflowCommand = { [S in EmittedSubject]: { subject: S; data: PayloadOf<S> } }[EmittedSubject];

/** Commands a workflow may emit: never a release request or a person's decision, which only people make. */
export type EmittedSubject = Exclude<CommandSubject, typeof Command.orchestratorDecide | typeof Command.orchestratorRelease>;

/** The action name that carries each command subject. */
export const commandActionNames = {
  [Command.vmProvision]: "emitProvision",
  [Command.vmStop]: "emitVmStop",
  [Command.vmPrune]: "emitVmPrune",
  [Command.trafficSetWeights]: "emitSetWeights",
  [Command.trafficPrune]: "emitTrafficPrune",
  [Command.analysisStart]: "emitAnalysisStart",
  [Command.analysisStop]: "emitAnalysisStop",
  [Command.approvalRequest]: "emitApprovalRequest",
  [Command.approvalCancel]: "emitApprovalCancel",
  [Command.notifySend]: "emitNotify",
  [Command.statusWrite]: "emitStatusWrite",
  [Command.orchestratorControl]: "emitControl",
} as const satisfies Record<EmittedSubject, string>;
export type CommandActionName = (typeof commandActionNames)[EmittedSubject];

const actionNameSet = new Set<string>(Object.values(commandActionNames));

/** True when an action object (from `transition()`) carries a command. */
export function isCommandAction(action: { type: string; params?: unknown }): action is { type: CommandActionName; params: WorkflowCommand } {
  return actionNameSet.has(action.type) && typeof action.params === "object" && action.params !== null;
}

/** The commands among `transition()`'s actions, in order. */
export function commandsOf(actions: ReadonlyArray<{ type: string; params?: unknown }>): WorkflowCommand[] {
  return actions.filter(isCommandAction).map((a) => a.params);
}

/** An action object for `enqueue(...)`: the command under its action name. */
export function commandAction(cmd: WorkflowCommand): { type: CommandActionName; params: WorkflowCommand } {
  return { type: commandActionNames[cmd.subject], params: cmd };
}

export function provisionCommand(ctx: CanaryContext): WorkflowCommand {
  return {
    subject: Command.vmProvision,
    data: { rollout: ctx.rollout, spec: ctx.spec, version: ctx.version, vmName: vmNameFor(ctx.spec.service, ctx.version) },
  };
}

/**
 * The traffic command for a canary weight; with `step` (a mirror or matched step of the plan), also
 * that step's mirror or match. Without it the traffic-router removes Siskin's mirror and routes.
 */
export function setWeightsCommand(ctx: CanaryContext, canaryWeight: number, step: number | null = null): WorkflowCommand {
  const vs = ctx.spec.virtualService;
  const planned = step === null ? null : (tryPlanSteps(resolveRollout(ctx.spec)).plan?.steps[step] ?? null);
  return {
    subject: Command.trafficSetWeights,
    data: {
      rollout: ctx.rollout,
      virtualService: {
        name: vs.name,
        ...(vs.routes === undefined ? {} : { routes: [...vs.routes] }),
        ...(vs.tlsRoutes === undefined ? {} : { tlsRoutes: vs.tlsRoutes.map((r) => ({ ...r, sniHosts: [...r.sniHosts] })) }),
        ...(vs.tcpRoutes === undefined ? {} : { tcpRoutes: vs.tcpRoutes.map((r) => ({ ...r })) }),
      },
      destinationRule: ctx.spec.destinationRule.name,
      versionLabel: ctx.spec.versionLabel ?? "version",
      stableVersion: ctx.stableVersion,
      canaryVersion: ctx.version,
      stableSubset: ctx.stableVersion,
      canarySubset: ctx.version,
      canaryWeight,
      ...(planned === null || planned.mirrorPercentage === null ? {} : { mirror: { percentage: planned.mirrorPercentage } }),
      ...(planned === null || planned.match === null ? {} : { match: structuredClone(planned.match) }),
    },
  };
}

export function analysisStartCommand(ctx: CanaryContext): WorkflowCommand {
  const r = resolveRollout(ctx.spec);
  return {
    subject: Command.analysisStart,
    data: {
      namespace: ctx.rollout.namespace,
      service: ctx.spec.service,
      versionLabel: r.versionLabel,
      stableVersion: ctx.stableVersion,
      canaryVersion: ctx.version,
      intervalSeconds: Math.round(r.intervalMs / 1000),
      minRequests: r.minRequests,
      metrics: r.metrics,
      ...(r.sequential === null ? {} : { sequential: r.sequential }),
    },
  };
}

export function analysisStopCommand(reason: string): WorkflowCommand {
  return { subject: Command.analysisStop, data: { reason } };
}

export function approvalRequestCommand(ctx: CanaryContext, rec: ApprovalRecord, toWeight: number): WorkflowCommand {
  const r = resolveRollout(ctx.spec);
  const n = ctx.spec.notify;
  return {
    subject: Command.approvalRequest,
    data: {
      requestId: rec.requestId,
      rollout: ctx.rollout,
      version: ctx.version,
      step: rec.step,
      toWeight,
      fromWeight: ctx.canaryWeight,
      verdicts: ctx.lastVerdicts.map((v) => ({ metric: v.metric, verdict: v.verdict, reason: v.reason })),
      approvers: rec.approvers ?? r.approvers,
      expiresAt: rec.expiresAt,
      onTimeout: rec.onTimeout,
      ...(n?.slackChannel === undefined ? {} : { channel: n.slackChannel }),
      ...(n?.dashboardUrl === undefined ? {} : { dashboardUrl: n.dashboardUrl }),
    },
  };
}

export function approvalCancelCommand(requestId: string, reason: string): WorkflowCommand {
  return { subject: Command.approvalCancel, data: { requestId, reason } };
}

export function notifyCommand(ctx: CanaryContext, severity: "info" | "warning" | "critical", text: string): WorkflowCommand {
  const channel = ctx.spec.notify?.slackChannel;
  return { subject: Command.notifySend, data: { severity, text: text.slice(0, 4000), ...(channel === undefined ? {} : { channel }) } };
}

/** Stop a version's VMs: those Siskin created, and those carrying the service's `app` and version labels. */
export function vmStopCommand(ctx: CanaryContext, version: string, reason: string): WorkflowCommand {
  const matchLabels = { app: ctx.spec.service, [ctx.spec.versionLabel ?? "version"]: version };
  return { subject: Command.vmStop, data: { rollout: ctx.rollout, version, delete: false, reason, matchLabels } };
}

/**
 * After a promotion's rollback window: keep `revisionHistoryLimit` versions (the new stable one and
 * the previous one first) and remove what Siskin created for older ones: their VMs, and their
 * destinations and subsets (never one with traffic, never an object Siskin did not create).
 */
export function pruneCommands(ctx: CanaryContext, reason: string): WorkflowCommand[] {
  const limit = resolveRollout(ctx.spec).revisionHistoryLimit;
  const keep = [...new Set([ctx.version, ctx.stableVersion])].slice(0, limit);
  const vs = setWeightsCommand(ctx, 100).data as { virtualService: { name: string } };
  return [
    { subject: Command.vmPrune, data: { rollout: ctx.rollout, keep, limit, reason } },
    {
      subject: Command.trafficPrune,
      data: { rollout: ctx.rollout, virtualService: vs.virtualService, destinationRule: ctx.spec.destinationRule.name, keep, limit, reason },
    },
  ];
}
