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
import type { ApprovalDecision, ApprovalRequest } from "../schemas/approval.js";

/** The approvers of a request. */
export type Approvers = ApprovalRequest["approvers"];

/** How an allowed approver is listed: by user id, or as a member of a listed group. */
export type ApproverVia = "user" | `group:${string}`;

/** Why a user may or may not decide. */
export type ApproverCheck = { allowed: true; via: ApproverVia } | { allowed: false; reason: string };

/**
 * May `userId` decide? Listed users may; so may members of a listed group (`members` holds the
 * groups looked up so far; a group missing from it is unknown). Nobody may when nobody is listed.
 */
export function checkApprover(userId: string, approvers: Approvers, members: ReadonlyMap<string, readonly string[]>): ApproverCheck {
  if (approvers.users.length === 0 && approvers.groups.length === 0) {
    return { allowed: false, reason: "no approvers are configured for this rollout (spec.approvers); it can only time out" };
  }
  if (approvers.users.includes(userId)) return { allowed: true, via: "user" };
  for (const g of approvers.groups) {
    if (members.get(g)?.includes(userId)) return { allowed: true, via: `group:${g}` };
  }
  return { allowed: false, reason: `${userId} is not an approver; ask ${mentionApprovers(approvers)}` };
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
