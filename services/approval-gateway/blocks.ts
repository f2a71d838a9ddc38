// Pure Block Kit rendering of an approval request, open or closed. No I/O.
import type { ApprovalRequest } from "../../schemas/approval.js";
import type { Block } from "./ports.js";
import { mentionApprovers } from "../../workflows/approval-policy.js";
import { encodeButtonValue, type ApprovalRecord } from "./policy.js";

/** Action ids of the two buttons. */
export const ActionId = {
  approve: "siskin_approval_approve",
  reject: "siskin_approval_reject",
} as const;
export type ActionId = (typeof ActionId)[keyof typeof ActionId];

/** Block id of the buttons' block. */
export const actionsBlockId = "siskin_approval_actions";

const verdictIcon = { pass: ":white_check_mark:", fail: ":x:", inconclusive: ":grey_question:", error: ":warning:" } as const;

/** A Slack date token that renders in the reader's time zone, with an ISO fallback. */
export function slackDate(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}

const plain = (text: string) => ({ type: "plain_text", text, emoji: true });
const mrkdwn = (text: string) => ({ type: "mrkdwn", text });

function summary(req: ApprovalRequest): string {
  return `${req.rollout.namespace}/${req.rollout.name} ${req.version}: step ${req.step + 1}, ${req.fromWeight}% → ${req.toWeight}%`;
}

function verdictLines(req: ApprovalRequest): string {
  if (req.verdicts.length === 0) return "_No verdicts yet._";
  return req.verdicts.map((v) => `${verdictIcon[v.verdict]} *${v.metric}* ${v.verdict}: ${v.reason}`).join("\n");
}

function header(req: ApprovalRequest, title: string): Block[] {
  const blocks: Block[] = [
    {
      type: "section",
      text: mrkdwn(`${title} *${req.rollout.namespace}/${req.rollout.name}* \`${req.version}\``),
      fields: [mrkdwn(`*Step*\n${req.step + 1}`), mrkdwn(`*Canary traffic*\n${req.fromWeight}% → ${req.toWeight}%`)],
    },
    { type: "section", text: mrkdwn(`*Verdicts*\n${verdictLines(req)}`) },
  ];
  return blocks;
}

function buttons(r: ApprovalRecord): Block {
  const value = encodeButtonValue({ releaseId: r.releaseId, requestId: r.requestId });
  const approve: Block = { type: "button", action_id: ActionId.approve, text: plain("Approve"), style: "primary", value };
  if (r.request.toWeight === 100) {
    approve.confirm = {
      title: plain("Send all traffic?"),
      text: mrkdwn(`Approving sends 100% of *${r.request.rollout.name}* traffic to \`${r.request.version}\`.`),
      confirm: plain("Approve"),
      deny: plain("Cancel"),
      style: "primary",
    };
  }
  const reject: Block = { type: "button", action_id: ActionId.reject, text: plain("Reject"), style: "danger", value };
  return { type: "actions", block_id: actionsBlockId, elements: [approve, reject] };
}

function outcomeLine(r: ApprovalRecord): string {
  const when = r.closedAt === undefined ? "" : ` at ${slackDate(r.closedAt)}`;
  const who = r.decidedBy === undefined ? "" : ` by <@${r.decidedBy.id}>`;
  switch (r.status) {
    case "open":
      return "";
    case "granted":
      return `:white_check_mark: *Approved*${who}${when}`;
    case "denied":
      return `:no_entry: *Rejected*${who}${when}`;
    case "expired": {
      const meaning = r.request.onTimeout === "approve" ? "approved by policy" : "rejected by policy";
      return `:hourglass: *Expired*${when}: nobody decided in time, ${meaning}`;
    }
    case "cancelled":
      return `:heavy_minus_sign: *Withdrawn*${when}${r.reason === undefined ? "" : `: ${r.reason}`}`;
    default: {
      const never: never = r.status;
      return never;
    }
  }
}

/** The message for a record: buttons while open; the outcome, who and when once closed. */
export function renderApproval(r: ApprovalRecord): { text: string; blocks: Block[] } {
  const req = r.request;
  if (r.status === "open") {
    const context = [`Approvers: ${mentionApprovers(req.approvers) || "_none configured_"}`, `expires ${slackDate(req.expiresAt)}, then ${req.onTimeout}`];
    if (req.dashboardUrl !== undefined) context.push(`<${req.dashboardUrl}|Dashboard>`);
    return {
      text: `Approval needed: ${summary(req)}`,
      blocks: [...header(req, ":raised_hand: *Approval needed*"), { type: "context", elements: [mrkdwn(context.join(" · "))] }, buttons(r)],
    };
  }
  const line = outcomeLine(r);
  const blocks = [...header(req, "*Approval*"), { type: "section", text: mrkdwn(line) }];
  if (req.dashboardUrl !== undefined) blocks.push({ type: "context", elements: [mrkdwn(`<${req.dashboardUrl}|Dashboard>`)] });
  return { text: `${line.replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, "$1")} (${summary(req)})`, blocks };
}
