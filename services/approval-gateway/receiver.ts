/**
 * A Bolt `Receiver` on fastify: verifies Slack's signature over the raw body (Bolt's
 * `verifySlackRequest`, with our clock), refuses timestamps more than 5 minutes off in either
 * direction and replays of a (timestamp, signature) pair, then hands the payload to `app.processEvent`.
 * Every request that passes those checks is answered 200 within `ackTimeoutMs` (< Slack's 3 s), acked
 * by a listener or not.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { verifySlackRequest, type App, type Receiver, type ReceiverEvent } from "@slack/bolt";
import { capConnections, ingressOptions, type IngressLimits } from "../runtime/ingress.js";

/** Options of {@link createFastifyReceiver}. */
export interface FastifyReceiverOptions {
  signingSecret: string;
  /** ms since the epoch; tests inject one to sign and verify at a fixed time. */
  clock?: () => number;
  /** Interactivity/events path (default `/slack/events`). */
  path?: string;
  /**
   * Answer Slack after the listener finished (default true), or as soon as it acks. Either way the
   * answer leaves by `ackTimeoutMs` once acked, inside Slack's 3 s.
   */
  processBeforeResponse?: boolean;
  ackTimeoutMs?: number;
  /** Where seen requests are remembered (default: this process only). */
  replayGuard?: ReplayGuard;
  onError?: (err: unknown, what: string) => void;
  /** Body size, timeouts and connection cap (defaults: 1 MiB, 30 s, 10 s, 64). */
  limits?: Partial<IngressLimits>;
}


/** Refuses a replayed (timestamp, signature) pair within Slack's 5-minute window. */
export interface ReplayGuard {
  /** True the first time a pair is seen; false for a replay. `nowSec` lets it forget what left the window. */
  firstSighting(timestampSec: number, signature: string, nowSec: number): boolean | Promise<boolean>;
}

/** Slack's window: a request whose timestamp is further from now is refused anyway. */
export const replayWindowSec = 5 * 60;

/**
 * Remembers recently seen (timestamp, signature) pairs in this process only. With more than one
 * replica, give the receiver the KV guard (`kvReplayGuard`), so a replay to another replica is refused.
 */
export function createReplayGuard() {
  const seen = new Map<string, number>();
  return {
    /** True the first time a pair is seen; false for a replay. `nowSec` prunes what left the window. */
    firstSighting(timestampSec: number, signature: string, nowSec: number): boolean {
      for (const [k, ts] of seen) if (ts < nowSec - replayWindowSec) seen.delete(k);
      const key = `${timestampSec}:${signature}`;
      if (seen.has(key)) return false;
      seen.set(key, timestampSec);
      return true;
    },
    size: () => seen.size,
  };
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Parse a verified body: interactivity (`payload=`), slash commands (form) or Events API (JSON). */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? "").startsWith("application/x-www-form-urlencoded")) {
    const form = new URLSearchParams(raw);
    const payload = form.get("payload");
    return payload === null ? Object.fromEntries(form) : (JSON.parse(payload) as Record<string, unknown>);
  }
  return JSON.parse(raw) as Record<string, unknown>;
}

/** Build the receiver; `fastify` is exposed for `inject()` and for mounting more routes. */
export function createFastifyReceiver(opts: FastifyReceiverOptions): Receiver & { fastify: FastifyInstance; url(): string | undefined } {
  const clock = opts.clock ?? Date.now;
  const guard: ReplayGuard = opts.replayGuard ?? createReplayGuard();
  const report = opts.onError ?? (() => undefined);
  const ackTimeoutMs = opts.ackTimeoutMs ?? 2500;
  const fastify = Fastify({ logger: false, ...ingressOptions(opts.limits) });
  capConnections(fastify, opts.limits);
  let app: App | undefined;
  let listening: string | undefined;

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(["application/json", "application/x-www-form-urlencoded"], { parseAs: "string" }, (_r, body, done) => done(null, body));

  fastify.post(opts.path ?? "/slack/events", async (req, reply) => {
    const raw = typeof req.body === "string" ? req.body : "";
    const tsHeader = one(req.headers["x-slack-request-timestamp"]);
    const signature = one(req.headers["x-slack-signature"]);
    const refuse = (why: string) => reply.code(401).send({ error: `Slack request refused: ${why}` });
    if (tsHeader === undefined || signature === undefined) return refuse("missing X-Slack-Signature or X-Slack-Request-Timestamp");
    const ts = Number(tsHeader);
    const nowMs = clock();
    if (!Number.isInteger(ts) || Math.abs(nowMs / 1000 - ts) > replayWindowSec) return refuse("timestamp is more than 5 minutes from now");
    try {
      verifySlackRequest({ signingSecret: opts.signingSecret, body: raw, headers: { "x-slack-signature": signature, "x-slack-request-timestamp": ts }, nowMilliseconds: nowMs });
    } catch {
      return refuse("signature does not match");
    }
    let first: boolean;
    try {
      first = await guard.firstSighting(ts, signature, Math.floor(nowMs / 1000));
    } catch (err) {
      // Cannot tell a replay from a first sighting: refuse; Slack retries a request it did not get a 2xx for.
      report(err, "checking the Slack replay guard");
      return reply.code(503).send({ error: "Slack request not checked for replay; try again" });
    }
    if (!first) return refuse("replayed request");
    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, req.headers["content-type"]);
    } catch {
      return reply.code(400).send({ error: "Slack request body is not valid JSON" });
    }
    // Signed is not well-formed: `null`, a number or an array is no Slack payload.
    if (typeof body !== "object" || body === null || Array.isArray(body)) return reply.code(400).send({ error: "Slack request body is not a JSON object" });
    if (body.type === "url_verification") return { challenge: body.challenge };
    if (body.ssl_check !== undefined) return reply.code(200).send();
    if (app === undefined) return reply.code(503).send({ error: "receiver is not attached to a Bolt app yet" });

    let acked = false;
    let ackBody: unknown;
    let ackedSignal!: () => void;
    const ackedPromise = new Promise<void>((r) => (ackedSignal = r));
    const retryNum = Number(one(req.headers["x-slack-retry-num"]));
    const retryReason = one(req.headers["x-slack-retry-reason"]);
    const event: ReceiverEvent = {
      body,
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
      ...(retryReason === undefined ? {} : { retryReason }),
      ack: async (response?: unknown) => {
        if (acked) throw new Error("Slack request was acknowledged twice");
        acked = true;
        ackBody = response;
        ackedSignal();
      },
    };
    const processing = app.processEvent(event).catch((err: unknown) => report(err, `handling Slack ${String(body.type)}`));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((r) => (timer = setTimeout(r, ackTimeoutMs)));
    await Promise.race([opts.processBeforeResponse === false ? ackedPromise : processing, deadline]);
    clearTimeout(timer);
    // Slack gets an answer within 3 s for every signed request, even one no listener knows (another
    // app's button, an old message's action): an empty 200 shows nothing to the user and stops retries.
    if (!acked) {
      report(new Error(`no listener acknowledged Slack ${String(body.type)} within ${ackTimeoutMs} ms`), "answering Slack with an empty 200");
      return reply.code(200).send();
    }
    if (ackBody === undefined || ackBody === "") return reply.code(200).send();
    return typeof ackBody === "string" ? reply.code(200).type("text/plain").send(ackBody) : reply.code(200).send(ackBody);
  });

  return {
    fastify,
    url: () => listening,
    init(a: App) {
      app = a;
    },
    async start(port = 0, host = "127.0.0.1") {
      listening = (await fastify.listen({ port: Number(port), host: String(host) })).replace("[::1]", "127.0.0.1");
      return fastify.server;
    },
    async stop() {
      await fastify.close();
    },
  };
}
