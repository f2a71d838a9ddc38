/** Sentences for fast-path rollbacks. Pure. */
import { actorName } from "./context.js";
import { analysisDecision } from "./guards.js";
import type { CanaryContext, WorkflowEvent } from "./types.js";

/** Why an event rolls the release back at once. */
export function fastPathReason(ctx: CanaryContext, ev: WorkflowEvent): string {
  switch (ev.type) {
    case "evt.alert.fired": {
      const summary = ev.data.annotations["summary"] ?? ev.data.annotations["description"];
      return `alert ${ev.data.alertname} firing for ${ev.data.version ?? "the rollout"}${summary === undefined ? "" : `: ${summary}`}`;
    }
    case "evt.vm.crashed":
      return `canary VMI ${ev.data.vmi.name} crashed: ${ev.data.reason}`;
    case "evt.vm.deleted":
      return `canary VMI ${ev.data.vmi.name} was deleted`;
    case "evt.vm.phase_changed":
      return `canary VMI ${ev.data.vmi.name} entered phase ${ev.data.phase}`;
    case "evt.vm.migration_failed":
      return `live migration of canary VMI ${ev.data.vmi.name} failed${ev.data.reason === undefined ? "" : `: ${ev.data.reason}`}`;
    case "evt.analysis.completed":
      return analysisDecision(ctx, ev)?.reason ?? "analysis failed";
    case "evt.approval.denied":
      return `approval ${ev.data.requestId} denied by ${actorName(ev.data.actor)}${ev.data.comment ? `: ${ev.data.comment}` : ""}`;
    case "evt.approval.expired":
      return `approval ${ev.data.requestId} expired (onTimeout=reject)`;
    case "evt.traffic.weights_failed":
      return `traffic-router cannot set canary weight ${ev.data.canaryWeight} %: ${ev.data.code}: ${ev.data.message}`;
    case "cmd.orchestrator.control":
      return `${ev.data.action} by ${actorName(ev.data.actor)}${ev.data.reason ? `: ${ev.data.reason}` : ""}`;
    case "siskin.superseded":
      return `superseded by ${ev.by}`;
    default:
      return `${ev.type} rolled the release back`;
  }
}
