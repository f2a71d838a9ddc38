// The gateway's Slack side against sim-slack: Bolt on our receiver, real signatures, real HTTP.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { startSimSlack, type SimSlack } from "../../sim/slack/server.js";
import { ActionId } from "./blocks.js";
import { fakeKv, fakePublisher, request } from "./fakes.test-util.js";
import { createFastifyReceiver } from "./receiver.js";
import { createService } from "./service.js";
import { chatOf, createBoltApp, directoryOf, registerApprovalActions } from "./slack.js";

const releaseId = "shop/ratings/v2.3.0";
const signingSecret = "gateway-signing-secret";
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function setup() {
  const clock = { now: 1_700_000_000_000 };
  const sim: SimSlack = await startSimSlack({
    clock: () => clock.now,
    signingSecret,
    users: [
      { id: "UALICE", name: "alice" },
      { id: "UBOB", name: "bob" },
      { id: "UEVE", name: "eve" },
    ],
    usergroups: { SONCALL: ["UBOB"] },
  });
  stops.push(() => sim.close());
  const receiver = createFastifyReceiver({ signingSecret, clock: () => clock.now });
  const app = createBoltApp({ botToken: sim.botToken, slackApiUrl: sim.apiUrl, receiver });
  const kv = fakeKv();
  const publisher = fakePublisher();
  const service = createService({ kv, publisher, chat: chatOf(app.client), directory: directoryOf(app.client), clock: () => clock.now, defaultChannel: "CREL" });
  registerApprovalActions(app, service);
  await app.init();
  await receiver.start(0, "127.0.0.1");
  stops.push(async () => void (await receiver.stop()));
  sim.setInteractivityUrl(`${receiver.url()}/slack/events`);
  await service.request({ id: "cmd-1", releaseId, data: request({ toWeight: 100, fromWeight: 50 }) });
  const msg = sim.messages({ channel: "CREL" })[0]!;
  const decisions = () => publisher.sent.filter((s) => s.subject !== "evt.approval.requested");
  return { sim, clock, publisher, msg, decisions, receiver };
}

describe("approval-gateway on Slack", () => {
  it("refuses a non-approver ephemerally, then records an approver's decision and updates the message", async () => {
    const t = await setup();
    expect(JSON.stringify(t.msg.blocks)).toContain("Send all traffic?");
    const eve = await t.sim.clickButton({ channel: "CREL", ts: t.msg.ts, actionId: ActionId.approve, user: { id: "UEVE", name: "eve" } });
    expect(eve.status).toBe(200);
    expect(t.sim.ephemerals({ user: "UEVE" })).toMatchObject([{ text: /You cannot decide this request/, via: "response_url" }]);
    expect(t.decisions()).toHaveLength(0);
    expect(t.sim.messages({ channel: "CREL" })[0]!.edited).toBeUndefined();

    t.clock.now += 30_000;
    const bob = await t.sim.clickButton({ channel: "CREL", ts: t.msg.ts, actionId: ActionId.approve, user: { id: "UBOB", name: "bob" } });
    expect(bob.status).toBe(200);
    expect(t.decisions()).toMatchObject([{ subject: "evt.approval.granted", msg: { data: { actor: { kind: "slack", id: "UBOB", name: "bob" }, at: t.clock.now } } }]);
    const updated = t.sim.messages({ channel: "CREL" })[0]!;
    expect(updated.edited).toBeDefined();
    expect(JSON.stringify(updated.blocks)).toContain("Approved* by <@UBOB>");
    expect(JSON.stringify(updated.blocks)).not.toContain(ActionId.approve);
  });

  it("refuses forged, stale, future, replayed and unsigned requests and changes nothing", async () => {
    const t = await setup();
    const click = (user = "UALICE") => t.sim.buildClick({ channel: "CREL", ts: t.msg.ts, actionId: ActionId.reject, user: { id: user, name: user } });
    const forged = click();
    forged.headers["x-slack-signature"] = `v0=${"a".repeat(64)}`;
    expect((await t.sim.send(forged)).status).toBe(401);
    const tampered = click();
    tampered.body = tampered.body.replace("UALICE", "UBOB");
    expect((await t.sim.send(tampered)).status).toBe(401);
    const unsigned = click();
    delete unsigned.headers["x-slack-signature"];
    delete unsigned.headers["x-slack-request-timestamp"];
    expect((await t.sim.send(unsigned)).status).toBe(401);

    t.clock.now -= 301_000;
    const stale = click();
    t.clock.now += 301_000;
    expect((await t.sim.send(stale)).status).toBe(401);
    t.clock.now += 301_000;
    const future = click();
    t.clock.now -= 301_000;
    expect((await t.sim.send(future)).status).toBe(401);

    const eve = click("UEVE");
    expect((await t.sim.send(eve)).status).toBe(200);
    expect((await t.sim.send(eve)).status).toBe(401);
    expect(t.sim.ephemerals({ user: "UEVE" })).toHaveLength(1);
    expect(t.decisions()).toHaveLength(0);
    expect(t.sim.messages({ channel: "CREL" })[0]!.edited).toBeUndefined();
  });

  it("accepts Slack's published signature test vector", async () => {
    const receiver = createFastifyReceiver({ signingSecret: "8f742231b10e8888abcd99yyyzzz85a5", clock: () => 1531420618_000 });
    stops.push(async () => void (await receiver.stop()));
    const body = readFileSync(new URL("../../test/fixtures/upstream/slack/signature-vector-body.txt", import.meta.url), "utf8");
    const post = (signature: string) =>
      receiver.fastify.inject({
        method: "POST",
        url: "/slack/events",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": "1531420618", "x-slack-signature": signature },
        payload: body,
      });
    // Verified, then 503: no Bolt app is attached to this receiver.
    expect((await post("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")).statusCode).toBe(503);
    expect((await post("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504")).statusCode).toBe(401);
  });
});
