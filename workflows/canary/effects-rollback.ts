/** The rollbacks the chart names: each starts one (`beginRollback`) with its own reason. */
import { resolvedOf } from "./context.js";
import type { Fx } from "./effect.js";
import { thenRecord } from "./effects-step.js";
import { beginRollback } from "./effects-traffic.js";
import { seconds } from "./format.js";
import { analysisReason, fastPathReason } from "./reasons.js";
import type { CanaryContext } from "./types.js";

const deadline = (ctx: CanaryContext): string => seconds(resolvedOf(ctx).progressDeadlineMs);

export const rollbackEffects = {
  rollbackFastPath: beginRollback("rolledBack", fastPathReason),
  rollbackOnAnalysis: thenRecord(beginRollback("rolledBack", analysisReason)),
  rollbackOnAbort: beginRollback("aborted", fastPathReason),
  rollbackOnSupersede: beginRollback("superseded", fastPathReason),
  rollbackOnProvisionDeadline: beginRollback(
    "rolledBack",
    (ctx) => `canary VMI not Ready within ${deadline(ctx)} (progressDeadlineSeconds)`,
  ),
  rollbackOnStall: beginRollback(
    "rolledBack",
    (ctx) => `canary weight ${ctx.weights?.target ?? "?"} % not confirmed within ${deadline(ctx)} (progressDeadlineSeconds)`,
  ),
  rollbackOnApprovalExpired: beginRollback("rolledBack", (ctx) => {
    const rec = [...ctx.approvals].reverse().find((a) => a.decision === "expired");
    return `approval ${rec?.requestId ?? "?"} expired without a decision (onTimeout=reject)`;
  }),
  rollbackOnNotReady: beginRollback("rolledBack", (ctx) => `canary VMI not Ready for ${deadline(ctx)}`),
} satisfies Record<string, Fx>;
