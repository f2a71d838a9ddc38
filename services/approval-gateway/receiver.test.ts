import type { App, ReceiverEvent } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { signedInteraction, slackSignature } from "../../sim/slack/interactivity.js";
import { createFastifyReceiver, createReplayGuard } from "./receiver.js";

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

  it("404s what no listener acknowledged, answers url_verification, 400s broken JSON", async () => {
    const r = createFastifyReceiver({ signingSecret: secret, clock: () => now });
    r.init(fakeApp(async () => undefined));
    expect((await post(r, { type: "block_actions" })).statusCode).toBe(404);
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
