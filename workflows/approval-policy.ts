/**
 * Who may decide an approval request: the one policy the approval-gateway applies to a click, the
 * canary workflow applies again to the decision it receives (defence in depth: a gateway bug or a
 * misconfigured gateway cannot promote), and `siskin replay` applies to a trace's approvals. Pure.
 *
 * The allow-list is the request's `approvers` (the rollout's `spec.approvers` when it was asked):
 * listed Slack users may decide, and so may members of a listed user group. Nobody may when nobody is
 * listed (the request can only time out). Group membership needs Slack's directory, so the gateway
 * looks it up and states it on the decision (`via: "group:S…"`); the workflow, which does no I/O,
 * accepts a group only when it is on the request's list.
 */
import type { ApprovalDecision } from "../schemas/approval.js";
import { checkApprover as checkApproverOf, type Approvers, type ApproverCheck } from "../schemas/approval-policy.js";

export type { Approvers, ApproverCheck } from "../schemas/approval-policy.js";

/** The one rule (schemas/approval-policy.ts), naming the approvers as Slack mentions. */
export function checkApprover(userId: string, approvers: Approvers, members: ReadonlyMap<string, readonly string[]>): ApproverCheck {
  return checkApproverOf(userId, approvers, members, mentionApprovers);
}

/**
 * The workflow's check of a decision it received: only a Slack user (the gateway's channel) listed on
 * the request, directly or through the group the gateway names in `via`.
 */
export function checkDecision(actor: ApprovalDecision["actor"], approvers: Approvers, via: string | undefined): ApproverCheck {
  if (actor.kind !== "slack") return { allowed: false, reason: `a ${actor.kind} actor cannot decide a Slack approval request` };
  const group = via?.startsWith("group:") === true ? via.slice("group:".length) : null;
  const members = new Map<string, readonly string[]>(group === null ? [] : [[group, [actor.id]]]);
  return checkApprover(actor.id, approvers, members);
}

/** `<@U1>, <!subteam^S1>` for Slack. */
export function mentionApprovers(a: Approvers): string {
  return [...a.users.map((u) => `<@${u}>`), ...a.groups.map((g) => `<!subteam^${g}>`)].join(", ");
}
