import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { verifySlackRequest } from "@slack/bolt";
import { WebClient, ErrorCode, type WebAPIRateLimitedError } from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { slackSignature } from "./interactivity.js";
import { startSimSlack, type SimSlack } from "./server.js";

let sim: SimSlack | undefined;
let server: Server | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

const start = async (o: Parameters<typeof startSimSlack>[0] = {}) => (sim = await startSimSlack(o));
const client = (s: SimSlack, token = s.botToken) => new WebClient(token, { slackApiUrl: s.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });

const approveBlocks = [
  { type: "section", text: { type: "mrkdwn", text: "Promote *ratings* v2?" } },
  {
    type: "actions",
    block_id: "approval",
    elements: [
      { type: "button", action_id: "approve", text: { type: "plain_text", text: "Approve" }, style: "primary", value: "req-1" },
      { type: "button", action_id: "reject", text: { type: "plain_text", text: "Reject" }, style: "danger", value: "req-1" },
    ],
  },
];

/** A stand-in app that records what Slack POSTs to it. */
async function recorder(status = 200): Promise<{ url: string; got: Array<{ headers: Record<string, unknown>; body: string }> }> {
  const got: Array<{ headers: Record<string, unknown>; body: string }> = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const addr = server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}/slack/events`, got };
}

describe("signing", () => {
  it("reproduces Slack's published test vector", () => {
    const body = readFileSync(new URL("../../test/fixtures/upstream/slack/signature-vector-body.txt", import.meta.url), "utf8");
    const sig = slackSignature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body);
    expect(sig).toBe("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
  });
});

describe("Web API", () => {
  it("posts, threads and updates messages through @slack/web-api (form bodies)", async () => {
    const s = await start({ channels: ["C1"] });
    const web = client(s);
    const parent = await web.chat.postMessage({ channel: "C1", text: "Release ratings v2", blocks: approveBlocks });
    expect(parent.ok).toBe(true);
    expect(parent.ts).toMatch(/^\d+\.\d{6}$/);
    const reply = await web.chat.postMessage({ channel: "C1", text: "step 1", thread_ts: parent.ts! });
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
    const upd = await web.chat.update({ channel: "C1", ts: parent.ts!, text: "Released", blocks: [] });
    expect(upd.ok).toBe(true);
    const thread = s.messages({ channel: "C1", threadTs: parent.ts! });
    expect(thread.map((m) => m.text)).toEqual(["Released", "step 1"]);
    expect(thread[0]).toMatchObject({ reply_count: 1, edited: { user: s.botUserId } });
    expect(thread[0]!.history[0]!.blocks?.[1]).toMatchObject({ block_id: "approval" });
    const viaHttp = (await (await fetch(`${s.url}/_sim/messages?channel=C1&thread_ts=${parent.ts}`)).json()) as { messages: unknown[] };
    expect(viaHttp.messages).toHaveLength(2);
  });

  it("accepts JSON bodies and answers errors the Slack way", async () => {
    const s = await start({ channels: ["C1"], usergroups: { S1: ["U1", "U2"] }, users: [{ id: "U1", name: "alice" }] });
    const call = async (method: string, body: unknown, token: string | null = s.botToken) => {
      const res = await fetch(`${s.apiUrl}${method}`, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await call("chat.postMessage", { channel: "C1", text: "hi" })).body).toMatchObject({ ok: true, channel: "C1" });
    expect((await call("chat.postMessage", { channel: "C9", text: "hi" })).body).toEqual({ ok: false, error: "channel_not_found" });
    expect((await call("chat.postMessage", { channel: "C1" })).body).toEqual({ ok: false, error: "no_text" });
    expect((await call("chat.postMessage", { channel: "C1", text: "x" }, null)).body).toEqual({ ok: false, error: "not_authed" });
    expect((await call("chat.postMessage", { channel: "C1", text: "x" }, "xoxb-wrong")).body).toEqual({ ok: false, error: "invalid_auth" });
    expect((await call("chat.update", { channel: "C1", ts: "1.000001", text: "x" })).body).toEqual({ ok: false, error: "message_not_found" });
    expect((await call("usergroups.users.list", { usergroup: "S1" })).body).toEqual({ ok: true, users: ["U1", "U2"] });
    expect((await call("usergroups.users.list", { usergroup: "S9" })).body).toEqual({ ok: false, error: "no_such_subteam" });
    expect((await call("chat.postEphemeral", { channel: "C1", user: "U1", text: "psst" })).body).toMatchObject({ ok: true });
    expect((await call("chat.postEphemeral", { channel: "C1", user: "U7", text: "psst" })).body).toEqual({ ok: false, error: "user_not_in_channel" });
    expect((await call("auth.test", {})).body).toMatchObject({ ok: true, user_id: s.botUserId, team_id: s.teamId });
    expect((await call("chat.nope", {})).body).toMatchObject({ ok: false, error: "unknown_method" });
    expect(s.ephemerals({ user: "U1" }).map((e) => e.text)).toEqual(["psst"]);
    const web = client(s, "xoxb-wrong");
    await expect(web.chat.postMessage({ channel: "C1", text: "x" })).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { error: "invalid_auth" } });
  });

  it("rate-limits with 429 and Retry-After", async () => {
    const s = await start();
    s.rateLimit("chat.postMessage", 7, 1);
    const err = (await client(s).chat.postMessage({ channel: "C1", text: "x" }).catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(7);
    expect((await client(s).chat.postMessage({ channel: "C1", text: "x" })).ok).toBe(true);
  });
});

describe("clicking a button", () => {
  it("POSTs a signed block_actions payload the Slack SDK verifies", async () => {
    let now = 1_700_000_000_000;
    const s = await start({ clock: () => now, signingSecret: "shh" });
    const app = await recorder();
    s.setInteractivityUrl(app.url);
    const posted = await client(s).chat.postMessage({ channel: "C1", text: "approve?", blocks: approveBlocks });
    now += 5000;
    const res = await s.clickButton({ channel: "C1", ts: posted.ts!, actionId: "approve", user: { id: "U1", name: "alice" } });
    expect(res.status).toBe(200);
    const got = app.got[0]!;
    expect(got.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(got.headers["x-slack-request-timestamp"]).toBe("1700000005");
    verifySlackRequest({
      signingSecret: "shh",
      body: got.body,
      headers: { "x-slack-signature": String(got.headers["x-slack-signature"]), "x-slack-request-timestamp": 1700000005 },
      nowMilliseconds: now,
    });
    const payload = JSON.parse(new URLSearchParams(got.body).get("payload")!) as Record<string, any>;
    expect(payload).toMatchObject({
      type: "block_actions",
      user: { id: "U1", username: "alice", team_id: s.teamId },
      container: { type: "message", message_ts: posted.ts, channel_id: "C1", is_ephemeral: false },
      channel: { id: "C1" },
      message: { ts: posted.ts, text: "approve?" },
      actions: [{ type: "button", action_id: "approve", block_id: "approval", value: "req-1", style: "primary" }],
    });
    expect(payload.response_url).toMatch(new RegExp(`^${s.url}/response/`));
    expect(() => s.buildClick({ channel: "C1", ts: posted.ts!, actionId: "missing", user: { id: "U1", name: "a" } })).toThrow(/no button "missing"/);
  });

  it("honours response_url: ephemeral, replace_original, in_channel, expiry and use limits", async () => {
    let now = 1_700_000_000_000;
    const s = await start({ clock: () => now });
    const posted = await client(s).chat.postMessage({ channel: "C1", text: "approve?", blocks: approveBlocks });
    const click = s.buildClick({ channel: "C1", ts: posted.ts!, actionId: "reject", user: { id: "U2", name: "bob" } });
    const late = s.buildClick({ channel: "C1", ts: posted.ts!, actionId: "approve", user: { id: "U2", name: "bob" } });
    const responseUrl = (JSON.parse(new URLSearchParams(click.body).get("payload")!) as { response_url: string }).response_url;
    const respond = (body: unknown) => fetch(responseUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await respond({ response_type: "ephemeral", replace_original: false, text: "not you" })).status).toBe(200);
    expect(s.ephemerals({ user: "U2" })).toMatchObject([{ text: "not you", via: "response_url" }]);
    expect(s.messages({ channel: "C1" })[0]!.text).toBe("approve?");
    await respond({ replace_original: true, text: "Rejected by bob" });
    expect(s.messages({ channel: "C1" })[0]).toMatchObject({ text: "Rejected by bob" });
    await respond({ response_type: "in_channel", text: "FYI" });
    expect(s.messages({ channel: "C1" }).map((m) => m.text)).toEqual(["Rejected by bob", "FYI"]);
    await respond({ text: "4" });
    await respond({ text: "5" });
    expect((await respond({ text: "6" })).status).toBe(404);
    expect(() => s.buildClick({ channel: "C1", ts: posted.ts!, actionId: "approve", user: { id: "U2", name: "bob" } })).toThrow(/any more/);
    now += 31 * 60 * 1000;
    const lateUrl = (JSON.parse(new URLSearchParams(late.body).get("payload")!) as { response_url: string }).response_url;
    expect((await fetch(lateUrl, { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status).toBe(404);
  });
});
