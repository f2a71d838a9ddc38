// POST /_sim/click: a driver in another process (the demo against docker-compose) clicks a button
// the way a person would; sim-slack signs the block_actions and delivers it to the app.
import { createServer, type Server } from "node:http";
import { verifySlackRequest } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { startSimSlack, type SimSlack } from "./server.js";

let sim: SimSlack | undefined;
let server: Server | undefined;
afterEach(async () => {
  await sim?.close();
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  sim = undefined;
  server = undefined;
});

describe("POST /_sim/click", () => {
  it("delivers a signed click to the app and returns its answer; unknown buttons and bad bodies are refused", async () => {
    const got: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        got.push({ headers: req.headers, body });
        res.writeHead(200, { "content-type": "text/plain" }).end("thanks");
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/slack/events`;
    sim = await startSimSlack({ signingSecret: "s3cret", interactivityUrl: url, users: [{ id: "U1", name: "ann" }] });
    const posted = await new WebClient(sim.botToken, { slackApiUrl: sim.apiUrl }).chat.postMessage({
      channel: "C1",
      text: "approve?",
      blocks: [{ type: "actions", elements: [{ type: "button", action_id: "go", text: { type: "plain_text", text: "Go" }, value: "v" }] }],
    });
    const click = (body: unknown) => fetch(`${sim!.url}/_sim/click`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    const ok = await click({ channel: "C1", ts: posted.ts, actionId: "go", user: { id: "U1", name: "ann" } });
    expect(await ok.json()).toEqual({ ok: true, status: 200, body: "thanks" });
    expect(got).toHaveLength(1);
    const h = got[0]!.headers;
    expect(() =>
      verifySlackRequest({ signingSecret: "s3cret", body: got[0]!.body, headers: { "x-slack-signature": String(h["x-slack-signature"]), "x-slack-request-timestamp": Number(h["x-slack-request-timestamp"]) } }),
    ).not.toThrow();
    const payload = JSON.parse(new URLSearchParams(got[0]!.body).get("payload") ?? "{}") as { type: string; user: { id: string }; actions: Array<{ action_id: string }> };
    expect(payload).toMatchObject({ type: "block_actions", user: { id: "U1" }, actions: [{ action_id: "go" }] });

    const missing = await click({ channel: "C1", ts: posted.ts, actionId: "nope", user: { id: "U1", name: "ann" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ ok: false, error: "button_not_found" });
    const bad = await click({ channel: "C1" });
    expect(bad.status).toBe(400);
    expect(got).toHaveLength(1);
  });
});
