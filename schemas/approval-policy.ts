/**
 * Who may decide a release's approval gate: the rollout's approvers (`spec.approvers`), by user and by
 * group. One rule for every channel that authenticates people (Slack's approval-gateway, the
 * dashboard). Pure.
 */
import type { ApprovalRequest } from "./approval.js";

/** The approvers of a request. */
export type Approvers = ApprovalRequest["approvers"];

/** Why a user may or may not decide. */
export type ApproverCheck = { allowed: true; via: "user" | `group:${string}` } | { allowed: false; reason: string };

/**
 * May `userId` decide? Listed users may; so may members of a listed group (`members` holds the
 * groups looked up so far; a group missing from it is unknown). Nobody may when nobody is listed.
 */
export function checkApprover(
  userId: string,
  approvers: Approvers,
  members: ReadonlyMap<string, readonly string[]>,
  mention: (a: Approvers) => string = plainApprovers,
): ApproverCheck {
  if (approvers.users.length === 0 && approvers.groups.length === 0) {
    return { allowed: false, reason: "no approvers are configured for this rollout (spec.approvers); it can only time out" };
  }
  if (approvers.users.includes(userId)) return { allowed: true, via: "user" };
  for (const g of approvers.groups) {
    if (members.get(g)?.includes(userId)) return { allowed: true, via: `group:${g}` };
  }
  return { allowed: false, reason: `you are not an approver; ask ${mention(approvers)}` };
}

/** `alice, group:release-approvers`: the approvers as plain text. */
export function plainApprovers(a: Approvers): string {
  return [...a.users, ...a.groups.map((g) => `group:${g}`)].join(", ");
}
