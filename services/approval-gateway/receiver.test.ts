import type { App, ReceiverEvent } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { signedInteraction, slackSignature } from "../../sim/slack/interactivity.js";
import { fakeKv } from "./fakes.test-util.js";
import { createFastifyReceiver, createReplayGuard } from "./receiver.js";
import { kvReplayGuard, replayKey } from "./replay-guard.js";

const secret = "s";
const now = 1_700_000_000_000;

/** A stand-in for Bolt's App: only processEvent is used by the receiver. */
function fakeApp(handler: (e: ReceiverEvent) => Promise<void>): App {
  return { processEvent: handler } as unknown as App;
}

function post(r: ReturnType<typeof createFastifyReceiver>, payload: unknown, at = now) {
  const req = signedInteraction(payload, secret, at);
  return r.fastify.inject({ method: "POST", url: "/slack/events", headers: req.headers, payload: req.body });
}

describe("createFastifyReceiver", () => {
  it("answers after the listener finished by default", async () => {
    const r = createFastifyReceiver({ signingSecret: secret, clock: () => now });
    const order: string[] = [];
    r.init(
      fakeApp(async (e) => {
        await e.ack();
        await new Promise((res) => setImmediate(res));
        order.push("listener done");
      }),
    );
    const res = await post(r, { type: "block_actions", actions: [] });
    order.push("answered");
    expect(res.statusCode).toBe(200);
    expect(order).toEqual(["listener done", "answered"]);
  });

  it("answers at the ack with processBeforeResponse false, with the ack's body", async () => {
    const r = createFastifyReceiver({ signingSecret: secret, clock: () => now, processBeforeResponse: false });
    let release!: () => void;
    const held = new Promise<void>((res) => (release = res));
    let seen: Record<string, unknown> | undefined;
    r.init(
      fakeApp(async (e) => {
        seen = e.body;
        await e.ack({ response_action: "clear" });
        await held;
      }),
    );
    const res = await post(r, { type: "block_actions", user: { id: "U1" } });
    expect(res.json()).toEqual({ response_action: "clear" });
    expect(seen).toMatchObject({ type: "block_actions", user: { id: "U1" } });
    release();
  });

  it("answers 200 to what no listener acknowledged (another app's button, an old action), answers url_verification, 400s broken JSON", async () => {
    const errors: string[] = [];
    const r = createFastifyReceiver({ signingSecret: secret, clock: () => now, onError: (_e, what) => errors.push(what) });
    r.init(fakeApp(async () => undefined));
    const unknown = await post(r, { type: "block_actions", actions: [{ action_id: "other_app_button" }] });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toBe("");
    expect(errors).toEqual(["answering Slack with an empty 200"]);
    const body = JSON.stringify({ type: "url_verification", challenge: "abc" });
    const ts = String(Math.floor(now / 1000));
    const res = await r.fastify.inject({
      method: "POST",
      url: "/slack/events",
      headers: { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": slackSignature(secret, ts, body) },
      payload: body,
    });
    expect(res.json()).toEqual({ challenge: "abc" });
    const broken = "payload=%7Bnope";
    const bad = await r.fastify.inject({
      method: "POST",
      url: "/slack/events",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": ts, "x-slack-signature": slackSignature(secret, ts, broken) },
      payload: broken,
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe("every signed request gets its answer within Slack's 3 s", () => {
  it("a listener that has not acked by ackTimeoutMs: 200 anyway, at the deadline", async () => {
    const r = createFastifyReceiver({ signingSecret: secret, clock: () => now, ackTimeoutMs: 20 });
    let release!: () => void;
    const held = new Promise<void>((res) => (release = res));
    r.init(fakeApp(async () => held));
    const res = await post(r, { type: "block_actions", actions: [{ action_id: "siskin_approve" }] });
    expect(res.statusCode).toBe(200);
    release();
  });
});

describe("kvReplayGuard: a replay to another replica is refused too", () => {
  it("two receivers over one KV bucket: the first answers, the second refuses the same request", async () => {
    const kv = fakeKv();
    const [a, b] = [0, 1].map(() => createFastifyReceiver({ signingSecret: secret, clock: () => now, replayGuard: kvReplayGuard(kv) }));
    for (const r of [a!, b!]) r.init(fakeApp(async (e) => e.ack()));
    const req = signedInteraction({ type: "block_actions", actions: [] }, secret, now);
    const send = (r: typeof a) => r!.fastify.inject({ method: "POST", url: "/slack/events", headers: req.headers, payload: req.body });
    expect((await send(a)).statusCode).toBe(200);
    const replayed = await send(b);
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json()).toEqual({ error: "Slack request refused: replayed request" });
  });

  it("prunes sightings that left the 5-minute window, and only those", async () => {
    const kv = fakeKv();
    const g = kvReplayGuard(kv);
    expect(await g.firstSighting(1000, "v0=a", 1000)).toBe(true);
    expect(await g.firstSighting(1250, "v0=b", 1250)).toBe(true);
    await kv.create("approval.x.y", {});
    expect(await g.prune(1301)).toBe(1);
    expect((await kv.keys()).sort()).toEqual(["approval.x.y", replayKey(1250, "v0=b")]);
    expect(await g.firstSighting(1250, "v0=b", 1301)).toBe(false);
  });
});

describe("createReplayGuard", () => {
  it("refuses a pair seen within 5 minutes and forgets pairs that left the window", () => {
    const g = createReplayGuard();
    expect(g.firstSighting(1000, "v0=a", 1000)).toBe(true);
    expect(g.firstSighting(1000, "v0=a", 1200)).toBe(false);
    expect(g.firstSighting(1000, "v0=b", 1200)).toBe(true);
    expect(g.firstSighting(1400, "v0=c", 1400)).toBe(true);
    expect(g.size()).toBe(1);
  });
});
