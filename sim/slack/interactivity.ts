/**
 * What Slack sends when a user clicks a button: a `block_actions` payload, form-encoded as
 * `payload=<json>`, signed with `X-Slack-Signature: v0=HMAC-SHA256(secret, "v0:<ts>:<body>")`.
 */
import { createHmac } from "node:crypto";
import type { Block, SimMessage } from "./store.js";
import type { Workspace } from "./web-api.js";

/** `v0=<hex>` over `v0:<timestamp>:<raw body>` (Slack, "Verifying requests from Slack"). */
export function slackSignature(signingSecret: string, timestampSec: number | string, rawBody: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest("hex")}`;
}

/** A button found in a message's blocks. */
export interface FoundButton {
  blockId: string;
  element: Record<string, unknown>;
}

/** The button with `actionId` in an `actions` block or a section's accessory. */
export function findButton(blocks: Block[] | undefined, actionId: string): FoundButton | undefined {
  for (const b of blocks ?? []) {
    const candidates: unknown[] = [];
    if (b.type === "actions" && Array.isArray(b.elements)) candidates.push(...(b.elements as unknown[]));
    if (b.type === "section" && b.accessory !== undefined) candidates.push(b.accessory);
    for (const e of candidates) {
      const el = e as Record<string, unknown>;
      if (el.type === "button" && el.action_id === actionId) return { blockId: String(b.block_id), element: el };
    }
  }
  return undefined;
}

/** Input of {@link buildBlockActions}. */
export interface BlockActionsInput {
  ws: Workspace;
  message: SimMessage;
  button: FoundButton;
  user: { id: string; name: string };
  responseUrl: string;
  /** `action_ts` / trigger id source. */
  actionTs: string;
  /** The legacy verification token. */
  verificationToken: string;
}

/** A `block_actions` payload for a button click in a channel message (bolt-js `BlockAction`). */
export function buildBlockActions(i: BlockActionsInput) {
  const { ws, message, button, user } = i;
  const { history: _h, channel: _c, ...wireMessage } = message;
  const container: Record<string, unknown> = {
    type: "message",
    message_ts: message.ts,
    channel_id: message.channel,
    is_ephemeral: false,
    ...(message.thread_ts !== undefined && message.thread_ts !== message.ts ? { thread_ts: message.thread_ts } : {}),
  };
  const el = button.element;
  return {
    type: "block_actions",
    user: { id: user.id, username: user.name, name: user.name, team_id: ws.teamId },
    api_app_id: ws.appId,
    token: i.verificationToken,
    container,
    trigger_id: `${i.actionTs.replace(".", "")}.${ws.teamId}.${i.actionTs.slice(-6)}`,
    team: { id: ws.teamId, domain: ws.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: message.channel, name: message.channel.toLowerCase() },
    message: wireMessage,
    state: { values: {} },
    response_url: i.responseUrl,
    actions: [
      {
        type: "button",
        action_id: el.action_id,
        block_id: button.blockId,
        text: el.text,
        ...(el.value === undefined ? {} : { value: el.value }),
        ...(el.style === undefined ? {} : { style: el.style }),
        action_ts: i.actionTs,
      },
    ],
  };
}

/** The signed HTTP request Slack would POST to the app's interactivity URL. */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
  timestamp: number;
  signature: string;
}

/** Form-encode `payload=` and sign it at `nowMs`. */
export function signedInteraction(payload: unknown, signingSecret: string, nowMs: number): SignedRequest {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = Math.floor(nowMs / 1000);
  const signature = slackSignature(signingSecret, timestamp, body);
  return {
    body,
    timestamp,
    signature,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature,
    },
  };
}
