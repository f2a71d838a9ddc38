/** Sentences for fast-path rollbacks. Pure. */
import { actorName, trafficText } from "./context.js";
import { analysisDecision } from "./guards.js";
import type { CanaryContext, WorkflowEvent } from "./types.js";
import { Event, Command } from "../../schemas/subjects.js";

/** Why an event rolls the release back at once. */
export function fastPathReason(ctx: CanaryContext, ev: WorkflowEvent): string {
  switch (ev.type) {
    case Event.alertFired: {
      const summary = ev.data.annotations["summary"] ?? ev.data.annotations["description"];
      return `alert ${ev.data.alertname} firing for ${ev.data.version ?? "the rollout"}${summary === undefined ? "" : `: ${summary}`}`;
    }
    case Event.vmCrashed:
      return `canary VMI ${ev.data.vmi.name} crashed: ${ev.data.reason}`;
    case Event.vmDeleted:
      return `canary VMI ${ev.data.vmi.name} was deleted`;
    case Event.vmPhaseChanged:
      return `canary VMI ${ev.data.vmi.name} entered phase ${ev.data.phase}`;
    case Event.vmMigrationFailed:
      return `live migration of canary VMI ${ev.data.vmi.name} failed${ev.data.reason === undefined ? "" : `: ${ev.data.reason}`}`;
    case Event.analysisCompleted:
      return analysisDecision(ctx, ev)?.reason ?? "analysis failed";
    case Event.approvalDenied:
      return `approval ${ev.data.requestId} denied by ${actorName(ev.data.actor)}${ev.data.comment ? `: ${ev.data.comment}` : ""}`;
    case Event.approvalExpired:
      return `approval ${ev.data.requestId} expired (onTimeout=reject)`;
    case Event.trafficWeightsFailed:
      return `traffic-router cannot set canary ${ctx.weights === null || (ctx.weights.step ?? null) === null ? `weight ${ev.data.canaryWeight} %` : trafficText(ctx, ctx.weights)}: ${ev.data.code}: ${ev.data.message}`;
    case Command.orchestratorControl:
      return `${ev.data.action} by ${actorName(ev.data.actor)}${ev.data.reason ? `: ${ev.data.reason}` : ""}`;
    case "siskin.superseded":
      return `superseded by ${ev.by}`;
    default:
      return `${ev.type} rolled the release back`;
  }
}

/** The reason an analysis result gives for its decision. */
export const analysisReason = (ctx: CanaryContext, ev: WorkflowEvent): string => analysisDecision(ctx, ev)?.reason ?? "analysis";
