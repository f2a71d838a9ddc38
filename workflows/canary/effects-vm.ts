/** Effects about the canary VM: provisioning, readiness, live migrations. Pure. */
import { vmNameFor } from "../../schemas/rollout-defaults.js";
import { provisionCommand } from "./commands.js";
import { backoffMs, isCanaryFact, isOwnVmFact, MAX_MIGRATION_WINDOWS, nowOf, resolvedOf, vmiKey } from "./context.js";
import { fx, none, type Fx } from "./effect.js";
import { seconds } from "./format.js";
import { Event } from "../../schemas/subjects.js";

export const beginProvision: Fx = (ctx, ev) => {
  const now = nowOf(ctx, ev);
  const deadline = now + resolvedOf(ctx).progressDeadlineMs;
  return fx(
    {
      provision: { startedAt: now, deadline, attempts: 1, retryAt: null, problems: [] },
      lastReason: `provisioning VirtualMachine ${vmNameFor(ctx.spec.service, ctx.version)} for ${ctx.version}`,
    },
    [provisionCommand(ctx)],
  );
};

export const provisioned: Fx = (_ctx, ev) => {
  if (ev.type !== Event.vmProvisioned) return none(_ctx, ev);
  const how = ev.data.created ? "created" : "already existed";
  return fx({ lastReason: `VirtualMachine ${ev.data.vm.name} ${how}; waiting for its VMI to be Ready` });
};

export const provisionFailedRetry: Fx = (ctx, ev) => {
  if (ev.type !== Event.vmProvisionFailed || ctx.provision === null) return none(ctx, ev);
  const wait = backoffMs(ctx.provision.attempts);
  const what = ev.data.problems.map((p) => `${p.code}: ${p.message}`).join("; ");
  return fx({
    provision: { ...ctx.provision, retryAt: ev.now + wait, problems: ev.data.problems },
    lastReason: `provisioning failed (attempt ${ctx.provision.attempts}, retryable): ${what}; retrying in ${seconds(wait)}`,
  });
};

export const retryProvision: Fx = (ctx) => {
  if (ctx.provision === null) return fx();
  const attempts = ctx.provision.attempts + 1;
  return fx(
    { provision: { ...ctx.provision, attempts, retryAt: null }, lastReason: `provisioning ${ctx.version} again (attempt ${attempts})` },
    [provisionCommand(ctx)],
  );
};

/** The release fails before any traffic moved: invalid plan or a permanent provisioning failure. */
export const failRelease: Fx = (ctx, ev) => {
  if (ev.type === Event.vmProvisionFailed) {
    const what = ev.data.problems.map((p) => `${p.code}: ${p.message} (fix: ${p.fix})`).join("; ");
    return fx({
      provision: ctx.provision === null ? null : { ...ctx.provision, problems: ev.data.problems },
      lastReason: `cannot provision ${ctx.version}, no traffic was shifted: ${what}`,
    });
  }
  return fx({ lastReason: `the VMRollout is invalid, nothing was started: ${ctx.planProblems.join("; ")}` });
};

export const markCanaryReady: Fx = (ctx, ev) => {
  if (ev.type !== Event.vmReadyChanged || !isCanaryFact(ctx, ev.data)) return none(ctx, ev);
  if (ev.data.ready) {
    return fx({ canaryReady: true, notReadySince: null, lastReason: `canary VMI ${ev.data.vmi.name} is Ready` });
  }
  return fx({
    canaryReady: false,
    notReadySince: ctx.notReadySince ?? ev.now,
    lastReason: `canary VMI ${ev.data.vmi.name} is not Ready${ev.data.reason ? `: ${ev.data.reason}` : ""}; steps wait`,
  });
};

/**
 * Track live migrations of this rollout's VMIs. While one is in flight, forward weight changes
 * wait; when it ends, the bake and the stall deadline are extended by the time it overlapped them.
 */
export const trackMigration: Fx = (ctx, ev) => {
  if (ev.type !== Event.vmMigrationStarted && ev.type !== Event.vmMigrationCompleted && ev.type !== Event.vmMigrationFailed) {
    return none(ctx, ev);
  }
  if (!isOwnVmFact(ctx, ev.data)) return none(ctx, ev);
  const key = vmiKey(ev.data);
  const version = ev.data.version ?? "";
  const role = version === ctx.version ? "canary" : "stable";
  if (ev.type === Event.vmMigrationStarted) {
    if (ctx.migrations[key] !== undefined) return none(ctx, ev);
    return fx({
      migrations: { ...ctx.migrations, [key]: { version, startedAt: ev.now } },
      lastReason: `live migration of ${role} VMI ${key} started: weight changes frozen, overlapping intervals inconclusive`,
    });
  }
  const m = ctx.migrations[key];
  if (m === undefined) return none(ctx, ev);
  const { [key]: _done, ...rest } = ctx.migrations;
  const windows = [...ctx.migrationWindows, { vmi: key, start: m.startedAt, end: ev.now }].slice(-MAX_MIGRATION_WINDOWS);
  const patch: Parameters<typeof fx>[0] = { migrations: rest, migrationWindows: windows };
  let extended = 0;
  if (ctx.bake !== null) {
    extended = Math.max(0, ev.now - Math.max(m.startedAt, ctx.bake.startedAt));
    patch.bake = { ...ctx.bake, until: ctx.bake.until + extended };
  }
  if (ctx.stallDeadline !== null) patch.stallDeadline = ctx.stallDeadline + (ev.now - m.startedAt);
  const how = ev.type === Event.vmMigrationCompleted ? "completed" : `failed${ev.data.reason ? ` (${ev.data.reason})` : ""}`;
  const more = extended > 0 ? `; bake extended by ${seconds(extended)}` : "";
  const still = Object.keys(rest).length > 0 ? "; other migrations still in flight" : "; weight changes resume";
  patch.lastReason = `live migration of ${role} VMI ${key} ${how} after ${seconds(ev.now - m.startedAt)}${more}${still}`;
  return fx(patch);
};

/** The VM actions the chart names. */
export const vmEffects = { beginProvision, provisioned, provisionFailedRetry, retryProvision, failRelease, markCanaryReady, trackMigration } satisfies Record<string, Fx>;
