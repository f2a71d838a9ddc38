/** The simulated on-call in Slack: new and edited messages become records, and Approve is clicked where asked. */
import type { DemoPorts, SlackMessage } from "./ports.js";
import { slackText } from "./render.js";
import type { ProgressRecord } from "./types.js";

/** The action id of approval-gateway's Approve button. */
export const APPROVE_ACTION = "siskin_approval_approve";

const hasApprove = (m: SlackMessage) => JSON.stringify(m.blocks ?? []).includes(APPROVE_ACTION);

/** What the on-call needs. */
export interface SlackEnv {
  ports: DemoPorts;
  /** The release version whose approvals the on-call answers. */
  version: string;
  onCall: { id: string; name: string };
  /** Slack messages already seen, with their edit count (shared across stories, so each is printed once). */
  seen: Map<string, number>;
  /** Approval messages already clicked. */
  clicked: Set<string>;
  record: (r: Omit<ProgressRecord, "atMs">) => void;
}

/** Read Slack once: record what is new or edited, and approve what asks for it. */
export async function answerSlack(env: SlackEnv): Promise<void> {
  for (const m of await env.ports.slack.messages()) {
    const key = `${m.channel}/${m.ts}`;
    const versions = (m.history ?? []).length;
    const seen = env.seen.get(key);
    if (seen === undefined || seen !== versions) {
      env.seen.set(key, versions);
      // The thread mirrors every transition (":arrow_forward:") and its parent is edited each time: kept
      // in the report, not printed twice. Approval messages and their edits are shown.
      const approvalMsg = hasApprove(m) || (m.history ?? []).some((h) => JSON.stringify(h).includes(APPROVE_ACTION));
      const quiet = m.text.startsWith(":arrow_forward:") || (seen !== undefined && !approvalMsg);
      env.record({ kind: "slack", text: slackText(m.text, seen !== undefined), ...(quiet ? { quiet: true } : {}) });
    }
    if (hasApprove(m) && !env.clicked.has(key) && JSON.stringify(m).includes(env.version)) {
      env.clicked.add(key);
      env.record({ kind: "approval", text: `@${env.onCall.name} clicks Approve in Slack` });
      await env.ports.slack.click({ channel: m.channel, ts: m.ts, actionId: APPROVE_ACTION, user: env.onCall });
    }
  }
}
