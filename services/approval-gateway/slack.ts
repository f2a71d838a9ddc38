/**
 * The Slack adapter: a Bolt App on our receiver (its WebClient pointed at `slackApiUrl`, e.g.
 * sim-slack), the Approve/Reject listener, and the Chat/Directory ports over Bolt's client.
 */
import { App, LogLevel, type BlockAction, type ButtonAction, type Logger as BoltLogger, type Receiver } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import { ActionId } from "./blocks.js";
import { decodeButtonValue } from "./policy.js";
import type { Chat, Directory } from "./ports.js";
import type { ApprovalService } from "./service.js";

/** Bolt's logger interface over pino (Bolt logs through it instead of the console). */
export function boltLogger(l: Logger): BoltLogger {
  const text = (m: unknown[]) => m.map((x) => (typeof x === "string" ? x : x instanceof Error ? x.message : JSON.stringify(x))).join(" ");
  return {
    debug: (...m: unknown[]) => l.debug(text(m)),
    info: (...m: unknown[]) => l.info(text(m)),
    warn: (...m: unknown[]) => l.warn(text(m)),
    error: (...m: unknown[]) => l.error(text(m)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/** Options of {@link createBoltApp}. */
export interface BoltAppOptions {
  botToken: string;
  /** Web API base, e.g. `http://127.0.0.1:<port>/api/` for sim-slack; Slack's by default. */
  slackApiUrl?: string;
  receiver: Receiver;
  logger?: Logger;
}

/** Build the Bolt App (call `app.init()` before use: it runs auth.test). */
export function createBoltApp(opts: BoltAppOptions): App {
  return new App({
    token: opts.botToken,
    receiver: opts.receiver,
    deferInitialization: true,
    ...(opts.logger === undefined ? { logLevel: LogLevel.ERROR } : { logger: boltLogger(opts.logger) }),
    clientOptions: {
      ...(opts.slackApiUrl === undefined ? {} : { slackApiUrl: opts.slackApiUrl }),
      // WebClient waits out Slack's Retry-After itself on 429; a few tries, then the caller's retry.
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 5000 },
    },
  });
}

const approvalActions = new RegExp(`^(${ActionId.approve}|${ActionId.reject})$`);

/**
 * Route Approve/Reject clicks to the service; refusals and stale buttons go back to the clicker only.
 * Any other block action (another app's button, one Siskin no longer serves) is acked with nothing to
 * say, so Slack gets its 200 at once.
 */
export function registerApprovalActions(app: App, service: ApprovalService): void {
  app.action<BlockAction>({ type: "block_actions" }, async ({ ack, action }) => {
    if (!approvalActions.test(action.action_id)) await ack();
  });
  app.action<BlockAction<ButtonAction>>({ type: "block_actions", action_id: approvalActions }, async ({ ack, body, action, respond }) => {
    await ack();
    const value = decodeButtonValue(action.value);
    if (value === undefined) {
      await respond({ response_type: "ephemeral", replace_original: false, text: "This button does not belong to a Siskin approval." });
      return;
    }
    const name = body.user.name ?? body.user.username;
    const result = await service.decide({
      ...value,
      decision: action.action_id === ActionId.approve ? "approve" : "reject",
      user: { id: body.user.id, ...(name === undefined ? {} : { name }) },
    });
    if (result.kind !== "decided") await respond({ response_type: "ephemeral", replace_original: false, text: result.text });
  });
}

/** The Chat port over a WebClient. */
export function chatOf(client: WebClient): Chat {
  return {
    async post(m) {
      const res = await client.chat.postMessage({ channel: m.channel, text: m.text, blocks: m.blocks as never, ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }) });
      if (res.ts === undefined) throw new Error(`chat.postMessage to ${m.channel} returned no ts`);
      return { channel: res.channel ?? m.channel, ts: res.ts };
    },
    async update(m) {
      await client.chat.update({ channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks as never });
    },
  };
}

/** The Directory port over a WebClient, caching each group's members for `ttlMs` (default 60 s). */
export function directoryOf(client: WebClient, opts: { clock?: () => number; ttlMs?: number } = {}): Directory {
  const clock = opts.clock ?? Date.now;
  const ttl = opts.ttlMs ?? 60_000;
  const cache = new Map<string, { users: string[]; at: number }>();
  return {
    async groupMembers(groupId) {
      const hit = cache.get(groupId);
      if (hit !== undefined && clock() - hit.at < ttl) return hit.users;
      let users: string[];
      try {
        users = (await client.usergroups.users.list({ usergroup: groupId })).users ?? [];
      } catch (err) {
        // A group Slack does not know has no members; anything else is "cannot tell".
        if ((err as { data?: { error?: string } }).data?.error !== "no_such_subteam") throw err;
        users = [];
      }
      cache.set(groupId, { users, at: clock() });
      return users;
    },
  };
}
