/**
 * The Web API methods sim-slack speaks, with Slack's wire conventions: HTTP 200 with `{ok:false, error}`
 * for API errors, 429 + `Retry-After` for rate limits, `blocks` as a JSON string in form bodies.
 */
import { withBlockIds, type Block, type SimMessage, type SimStore } from "./store.js";

/** The workspace sim-slack pretends to be. */
export interface Workspace {
  teamId: string;
  teamDomain: string;
  botToken: string;
  botUserId: string;
  botId: string;
  appId: string;
  /** Known users (id → name). */
  users: Map<string, string>;
  /** User groups (id → member ids). */
  usergroups: Map<string, string[]>;
  /** Channels that exist; `undefined` accepts any channel id. */
  channels?: Set<string>;
}

/** An HTTP answer. */
export interface ApiReply {
  status: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

const fail = (error: string, extra: Record<string, unknown> = {}): ApiReply => ({ status: 200, body: { ok: false, error, ...extra } });

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** `blocks` arrive as an array (JSON body) or a JSON string (form body). */
function parseBlocks(v: unknown): { ok: true; blocks?: Block[] } | { ok: false } {
  if (v === undefined || v === "") return { ok: true };
  let parsed = v;
  if (typeof v === "string") {
    try {
      parsed = JSON.parse(v);
    } catch {
      return { ok: false };
    }
  }
  return Array.isArray(parsed) ? { ok: true, blocks: parsed as Block[] } : { ok: false };
}

/** Build the method table. `nextTs` hands out message timestamps. */
export function createWebApi(ws: Workspace, store: SimStore, nextTs: () => string) {
  const limits = new Map<string, { retryAfterSec: number; remaining: number }>();

  function channelOk(channel: string | undefined): channel is string {
    return channel !== undefined && (ws.channels === undefined || ws.channels.has(channel));
  }

  function content(args: Record<string, unknown>): { text: string; blocks?: Block[] } | ApiReply {
    const b = parseBlocks(args.blocks);
    if (!b.ok) return fail("invalid_blocks_format");
    const text = typeof args.text === "string" ? args.text : "";
    if (text === "" && (b.blocks === undefined || b.blocks.length === 0)) return fail("no_text");
    return { text, ...(b.blocks === undefined ? {} : { blocks: b.blocks }) };
  }

  const wire = (m: SimMessage) => {
    const { history: _h, channel: _c, ...rest } = m;
    return rest;
  };

  const methods: Record<string, (args: Record<string, unknown>) => ApiReply> = {
    "auth.test": () => ({
      status: 200,
      body: {
        ok: true,
        url: `https://${ws.teamDomain}.slack.com/`,
        team: ws.teamDomain,
        user: "siskin",
        team_id: ws.teamId,
        user_id: ws.botUserId,
        bot_id: ws.botId,
        is_enterprise_install: false,
      },
    }),
    "chat.postMessage": (args) => {
      const channel = str(args.channel);
      if (!channelOk(channel)) return fail("channel_not_found");
      const c = content(args);
      if ("status" in c) return c;
      const threadTs = str(args.thread_ts);
      const ts = nextTs();
      const m = store.add({
        type: "message",
        channel,
        ts,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
        text: c.text,
        ...(c.blocks === undefined ? {} : { blocks: withBlockIds(c.blocks, ts) as Block[] }),
        user: ws.botUserId,
        bot_id: ws.botId,
        app_id: ws.appId,
        team: ws.teamId,
        history: [],
      });
      return { status: 200, body: { ok: true, channel, ts, message: wire(m) } };
    },
    "chat.update": (args) => {
      const channel = str(args.channel);
      if (!channelOk(channel)) return fail("channel_not_found");
      const m = store.find(channel, str(args.ts) ?? "");
      if (m === undefined) return fail("message_not_found");
      if (m.user !== ws.botUserId) return fail("cant_update_message");
      const c = content(args);
      if ("status" in c) return c;
      store.edit(m, { text: c.text, ...(c.blocks === undefined ? {} : { blocks: withBlockIds(c.blocks, m.ts) as Block[] }) }, ws.botUserId, nextTs());
      return { status: 200, body: { ok: true, channel, ts: m.ts, text: m.text, message: wire(m) } };
    },
    "chat.postEphemeral": (args) => {
      const channel = str(args.channel);
      if (!channelOk(channel)) return fail("channel_not_found");
      const user = str(args.user);
      if (user === undefined || (ws.users.size > 0 && !ws.users.has(user))) return fail("user_not_in_channel");
      const c = content(args);
      if ("status" in c) return c;
      const ts = nextTs();
      const threadTs = str(args.thread_ts);
      store.ephemerals.push({ channel, user, ...c, ...(threadTs === undefined ? {} : { thread_ts: threadTs }), via: "api", ts });
      return { status: 200, body: { ok: true, message_ts: ts } };
    },
    "usergroups.users.list": (args) => {
      const group = str(args.usergroup);
      const members = group === undefined ? undefined : ws.usergroups.get(group);
      if (members === undefined) return fail("no_such_subteam");
      return { status: 200, body: { ok: true, users: [...members] } };
    },
  };

  return {
    /** Answer the next `times` calls of `method` with 429 and `Retry-After: retryAfterSec`. */
    rateLimit(method: string, retryAfterSec: number, times = 1): void {
      limits.set(method, { retryAfterSec, remaining: times });
    },
    /** Call a method as Slack would; `token` is the bearer or the `token` field. */
    call(method: string, args: Record<string, unknown>, token: string | undefined): ApiReply {
      const limit = limits.get(method);
      if (limit !== undefined && limit.remaining > 0) {
        limit.remaining--;
        return { status: 429, headers: { "retry-after": String(limit.retryAfterSec) }, body: { ok: false, error: "ratelimited" } };
      }
      const impl = methods[method];
      if (impl === undefined) return fail("unknown_method", { req_method: method });
      if (token === undefined) return fail("not_authed");
      if (token !== ws.botToken) return fail("invalid_auth");
      return impl(args);
    },
  };
}

/** The method table built by {@link createWebApi}. */
export type WebApi = ReturnType<typeof createWebApi>;
