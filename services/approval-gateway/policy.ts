// Pure approval rules: record shape, KV keys, who may decide, when a request expires. No I/O.
import type { ApprovalDecision, ApprovalRequest } from "../../schemas/approval.js";
import { checkApprover as checkApproverOf, type Approvers, type ApproverCheck } from "../../schemas/approval-policy.js";
import { releaseKey } from "../../schemas/subjects.js";

/** Where an approval request stands. */
export const ApprovalStatus = ["open", "granted", "denied", "expired", "cancelled"] as const;
export type ApprovalStatus = (typeof ApprovalStatus)[number];

/** One approval request as kept in KV `Bucket.threads`. */
export interface ApprovalRecord {
  releaseId: string;
  requestId: string;
  request: ApprovalRequest;
  channel: string;
  /** The approval message; absent until posted. */
  ts?: string;
  /** The release thread it was posted into. */
  threadTs?: string;
  status: ApprovalStatus;
  decidedBy?: ApprovalDecision["actor"];
  /** How the decider is on the approvers (`user`, `group:<id>`), carried to the workflow. */
  decidedVia?: string;
  /** When it closed (ms). */
  closedAt?: number;
  /** Why it was withdrawn. */
  reason?: string;
  /** The outcome event is in JetStream. */
  published: boolean;
  /** The Slack message shows the outcome. */
  messageUpdated: boolean;
}

/** KV key of an approval: `approval.<releaseKey>.<requestKey>` (KV keys allow `[-/_=.a-zA-Z0-9]`). */
export function approvalKey(releaseId: string, requestId: string): string {
  return `approval.${releaseKey(releaseId)}.${releaseKey(requestId)}`;
}

/** KV key of a release's Slack thread (written by the notifier). */
export function threadKey(releaseId: string): string {
  return `thread.${releaseKey(releaseId)}`;
}

/** The msg id of a request's one outcome (granted, denied or expired): JetStream keeps the first. */
export function outcomeMsgId(releaseId: string, requestId: string): string {
  return `approval:${releaseId}:${requestId}`;
}

/** What a button carries: which request of which release. */
export interface ButtonValue {
  releaseId: string;
  requestId: string;
}

/** Encode a {@link ButtonValue} (≤ 2000 characters: ids are ≤ 400 + 100). */
export function encodeButtonValue(v: ButtonValue): string {
  return JSON.stringify({ r: v.releaseId, q: v.requestId });
}

/** Decode a button value; undefined when it is not ours. */
export function decodeButtonValue(s: string | undefined): ButtonValue | undefined {
  if (s === undefined) return undefined;
  try {
    const o = JSON.parse(s) as { r?: unknown; q?: unknown };
    return typeof o.r === "string" && typeof o.q === "string" ? { releaseId: o.r, requestId: o.q } : undefined;
  } catch {
    return undefined;
  }
}

export type { Approvers, ApproverCheck };

/** The shared rule (schemas/approval-policy.ts), with the approvers mentioned as Slack mentions. */
export function checkApprover(userId: string, approvers: Approvers, members: ReadonlyMap<string, readonly string[]>): ApproverCheck {
  return checkApproverOf(userId, approvers, members, mentionApprovers);
}

/** `<@U1>, <!subteam^S1>` for Slack. */
export function mentionApprovers(a: Approvers): string {
  return [...a.users.map((u) => `<@${u}>`), ...a.groups.map((g) => `<!subteam^${g}>`)].join(", ");
}

/** True when an open request's deadline has passed at `now` (ms). */
export function isExpired(r: Pick<ApprovalRecord, "status" | "request">, now: number): boolean {
  return r.status === "open" && now >= r.request.expiresAt;
}

/** What an expiry means for the release: the rollout's `onTimeout` (reject unless it says approve). */
export function expiryPolicy(r: Pick<ApprovalRecord, "request">): "reject" | "approve" {
  return r.request.onTimeout;
}

/** Work the tick still owes a closed record: publish its outcome, update its message. */
export function pendingWork(r: ApprovalRecord): { publish: boolean; message: boolean } {
  const closed = r.status !== "open";
  // A cancelled request has no outcome event; the orchestrator asked for it.
  return { publish: closed && r.status !== "cancelled" && !r.published, message: closed && r.ts !== undefined && !r.messageUpdated };
}
