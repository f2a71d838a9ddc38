/**
 * sim-slack: a fastify server speaking Slack's Web API (`POST /api/<method>`), serving response_urls
 * (`POST /response/:id`), showing what was posted (`GET /_sim/messages`), and clicking buttons the way
 * Slack does (a signed `block_actions` POST to the app's interactivity URL).
 */
import { randomUUID } from "node:crypto";
import Fastify from "fastify";
import { buildBlockActions, findButton, signedInteraction, type SignedRequest } from "./interactivity.js";
import { createStore, createTsSource, withBlockIds, type Block, type SimEphemeral, type SimMessage } from "./store.js";
import { createWebApi, type Workspace } from "./web-api.js";

/** Options of {@link startSimSlack}. */
export interface SimSlackOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Clock (ms) for message timestamps, request signing and response_url expiry. */
  clock?: () => number;
  signingSecret?: string;
  botToken?: string;
  /** The app's interactivity request URL (can be set later with `setInteractivityUrl`). */
  interactivityUrl?: string;
  users?: Array<{ id: string; name: string }>;
  /** User group id → member user ids. */
  usergroups?: Record<string, string[]>;
  /** Channel ids that exist; any id is accepted when omitted. */
  channels?: string[];
}

/** A click: which button of which message, by whom. */
export interface ClickInput {
  channel: string;
  /** The message's ts. */
  ts: string;
  actionId: string;
  user: { id: string; name: string };
}

/** What the app answered to a delivered interaction. */
export interface InteractionResult {
  status: number;
  body: string;
  request: SignedRequest;
}

/** response_urls are valid for 30 minutes and 5 uses (Slack docs). */
const responseUrlTtlMs = 30 * 60 * 1000;
const responseUrlMaxUses = 5;

/** Start sim-slack on 127.0.0.1. */
export async function startSimSlack(opts: SimSlackOptions = {}) {
  const clock = opts.clock ?? Date.now;
  const nextTs = createTsSource(clock);
  const store = createStore();
  const ws: Workspace = {
    teamId: "T0SISKIN",
    teamDomain: "siskin-sim",
    botToken: opts.botToken ?? "xoxb-sim-slack-token",
    botUserId: "U0SISKINBOT",
    botId: "B0SISKINBOT",
    appId: "A0SISKIN",
    users: new Map((opts.users ?? []).map((u) => [u.id, u.name])),
    usergroups: new Map(Object.entries(opts.usergroups ?? {})),
    ...(opts.channels === undefined ? {} : { channels: new Set(opts.channels) }),
  };
  const signingSecret = opts.signingSecret ?? "sim-slack-signing-secret";
  const api = createWebApi(ws, store, nextTs);
  let interactivityUrl = opts.interactivityUrl;

  const app = Fastify({ logger: false });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.post<{ Params: { method: string } }>("/api/:method", async (req, reply) => {
    const args = (req.body ?? {}) as Record<string, unknown>;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const token = bearer ?? (typeof args.token === "string" ? args.token : undefined);
    const out = api.call(req.params.method, args, token);
    return reply.code(out.status).headers(out.headers ?? {}).send(out.body);
  });

  app.post<{ Params: { id: string } }>("/response/:id", async (req, reply) => {
    const entry = store.responseUrls.get(req.params.id);
    if (entry === undefined || clock() - entry.createdAtMs > responseUrlTtlMs) return reply.code(404).send({ ok: false, error: "expired_url" });
    if (entry.uses >= responseUrlMaxUses) return reply.code(404).send({ ok: false, error: "used_url" });
    entry.uses++;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const text = typeof b.text === "string" ? b.text : "";
    const blocks = Array.isArray(b.blocks) ? (b.blocks as Block[]) : undefined;
    const original = store.find(entry.channel, entry.messageTs);
    if (b.delete_original === true) {
      if (original !== undefined) store.remove(original);
      return { ok: true };
    }
    if (b.replace_original === true) {
      if (original === undefined) return reply.code(404).send({ ok: false, error: "message_not_found" });
      store.edit(original, { text, ...(blocks === undefined ? {} : { blocks: withBlockIds(blocks, original.ts) as Block[] }) }, ws.botUserId, nextTs());
      return { ok: true };
    }
    const threadTs = typeof b.thread_ts === "string" ? b.thread_ts : entry.threadTs;
    if (b.response_type === "in_channel") {
      const ts = nextTs();
      store.add({
        type: "message",
        channel: entry.channel,
        ts,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
        text,
        ...(blocks === undefined ? {} : { blocks: withBlockIds(blocks, ts) as Block[] }),
        user: ws.botUserId,
        bot_id: ws.botId,
        app_id: ws.appId,
        team: ws.teamId,
        history: [],
      });
    } else {
      const e: SimEphemeral = { channel: entry.channel, user: entry.userId, text, via: "response_url", ts: nextTs() };
      if (blocks !== undefined) e.blocks = blocks;
      if (threadTs !== undefined) e.thread_ts = threadTs;
      store.ephemerals.push(e);
    }
    return { ok: true };
  });

  app.get<{ Querystring: { channel?: string; thread_ts?: string } }>("/_sim/messages", async (req) => ({
    messages: store.list({
      ...(req.query.channel ? { channel: req.query.channel } : {}),
      ...(req.query.thread_ts ? { threadTs: req.query.thread_ts } : {}),
    }),
  }));
  app.get<{ Querystring: { channel?: string; user?: string } }>("/_sim/ephemerals", async (req) => ({
    ephemerals: store.ephemerals.filter((e) => (!req.query.channel || e.channel === req.query.channel) && (!req.query.user || e.user === req.query.user)),
  }));

  // A person clicking a button, for drivers outside this process (the demo against docker-compose).
  app.post("/_sim/click", async (req, reply) => {
    const b = (req.body ?? {}) as Partial<ClickInput>;
    if (typeof b.channel !== "string" || typeof b.ts !== "string" || typeof b.actionId !== "string" || typeof b.user?.id !== "string" || typeof b.user?.name !== "string") {
      return reply.code(400).send({ ok: false, error: "invalid_arguments", detail: "POST {channel, ts, actionId, user: {id, name}} as JSON" });
    }
    const click = { channel: b.channel, ts: b.ts, actionId: b.actionId, user: { id: b.user.id, name: b.user.name } };
    let signed: SignedRequest;
    try {
      signed = buildClick(click);
    } catch (err) {
      return reply.code(404).send({ ok: false, error: "button_not_found", detail: (err as Error).message });
    }
    try {
      const out = await send(signed);
      return { ok: true, status: out.status, body: out.body };
    } catch (err) {
      return reply.code(502).send({ ok: false, error: "app_unreachable", detail: (err as Error).message });
    }
  });

  const address = await app.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0 });
  const url = address.replace("[::1]", "127.0.0.1");

  async function send(req: SignedRequest): Promise<InteractionResult> {
    if (interactivityUrl === undefined) throw new Error("sim-slack has no interactivity URL; pass interactivityUrl or call setInteractivityUrl(url)");
    const res = await fetch(interactivityUrl, { method: "POST", headers: req.headers, body: req.body });
    return { status: res.status, body: await res.text(), request: req };
  }

  function buildClick(c: ClickInput): SignedRequest {
    const message = store.find(c.channel, c.ts);
    if (message === undefined) throw new Error(`sim-slack: no message ${c.ts} in ${c.channel} to click`);
    const button = findButton(message.blocks, c.actionId);
    if (button === undefined) throw new Error(`sim-slack: message ${c.ts} in ${c.channel} has no button "${c.actionId}" (any more)`);
    const id = randomUUID();
    store.responseUrls.set(id, {
      id,
      channel: c.channel,
      messageTs: message.ts,
      ...(message.thread_ts === undefined ? {} : { threadTs: message.thread_ts }),
      userId: c.user.id,
      createdAtMs: clock(),
      uses: 0,
    });
    const payload = buildBlockActions({ ws, message, button, user: c.user, responseUrl: `${url}/response/${id}`, actionTs: nextTs(), verificationToken: "sim-verification-token" });
    return signedInteraction(payload, signingSecret, clock());
  }

  return {
    url,
    /** Base of the Web API, for WebClient's `slackApiUrl`. */
    apiUrl: `${url}/api/`,
    signingSecret,
    botToken: ws.botToken,
    botUserId: ws.botUserId,
    teamId: ws.teamId,
    setInteractivityUrl(next: string): void {
      interactivityUrl = next;
    },
    /** Answer the next `times` calls of `method` with 429 and `Retry-After`. */
    rateLimit: api.rateLimit,
    /** Messages (a channel's, or a thread's parent and replies), oldest first. */
    messages(filter: { channel?: string; threadTs?: string } = {}): SimMessage[] {
      return store.list(filter);
    },
    /** Ephemeral messages, oldest first. */
    ephemerals(filter: { channel?: string; user?: string } = {}): SimEphemeral[] {
      return store.ephemerals.filter((e) => (!filter.channel || e.channel === filter.channel) && (!filter.user || e.user === filter.user));
    },
    /** Build the signed `block_actions` request for a click, without sending it. */
    buildClick,
    /** Click a button: build, sign and POST the interaction to the app. */
    async clickButton(c: ClickInput): Promise<InteractionResult> {
      return send(buildClick(c));
    },
    /** POST a (possibly replayed or forged) interaction request as is. */
    send,
    async close(): Promise<void> {
      await app.close();
    },
  };
}

/** A running sim-slack. */
export type SimSlack = Awaited<ReturnType<typeof startSimSlack>>;
