// The notifier's adapters against real HTTP: sim-slack (429 + Retry-After) and a webhook receiver.
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startSimSlack, type SimSlack } from "../../sim/slack/server.js";
import { chatOf, createWebClient } from "./slack.js";
import { createWebhooks } from "./webhooks.js";

let sim: SimSlack | undefined;
let server: Server | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

describe("Slack chat adapter", () => {
  it("waits out Slack's Retry-After on 429 with the injected sleep, then posts once", async () => {
    sim = await startSimSlack();
    sim.rateLimit("chat.postMessage", 3, 2);
    const waits: number[] = [];
    const limited: string[] = [];
    const chat = chatOf(createWebClient(sim.botToken, sim.apiUrl), {
      sleep: async (ms) => void waits.push(ms),
      onRateLimited: (m, s) => limited.push(`${m}:${s}`),
    });
    const posted = await chat.post({ channel: "C1", text: "hello" });
    expect(waits).toEqual([3000, 3000]);
    expect(limited).toEqual(["chat.postMessage:3", "chat.postMessage:3"]);
    expect(sim.messages({ channel: "C1" }).map((m) => m.ts)).toEqual([posted.ts]);
    sim.rateLimit("chat.update", 1, 1);
    await chat.update({ channel: "C1", ts: posted.ts, text: "edited" });
    expect(waits).toEqual([3000, 3000, 1000]);
    expect(sim.messages({ channel: "C1" })[0]!.text).toBe("edited");
  });

  it("gives up after the configured number of 429s and surfaces Slack errors", async () => {
    sim = await startSimSlack({ channels: ["C1"] });
    sim.rateLimit("chat.postMessage", 1, 3);
    const chat = chatOf(createWebClient(sim.botToken, sim.apiUrl), { sleep: async () => undefined, maxRateLimitRetries: 2 });
    await expect(chat.post({ channel: "C1", text: "x" })).rejects.toMatchObject({ code: "slack_webapi_rate_limited_error", retryAfter: 1 });
    await expect(chatOf(createWebClient(sim.botToken, sim.apiUrl)).post({ channel: "CNOPE", text: "x" })).rejects.toMatchObject({ data: { error: "channel_not_found" } });
  });
});

describe("webhooks", () => {
  it("POSTs the event JSON, signed when a secret is set, and fails on non-2xx", async () => {
    const got: Array<{ headers: Record<string, unknown>; body: string }> = [];
    let status = 204;
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        got.push({ headers: req.headers, body });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    const hooks = createWebhooks({ secret: "s3cret" });
    const event = { id: "e-1", type: "evt.release.completed", data: { outcome: "promoted" } };
    await hooks.post(url, event);
    expect(JSON.parse(got[0]!.body)).toEqual(event);
    expect(got[0]!.headers).toMatchObject({
      "content-type": "application/json",
      "x-siskin-event": "evt.release.completed",
      "x-siskin-delivery": "e-1",
      "x-siskin-signature-256": `sha256=${createHmac("sha256", "s3cret").update(got[0]!.body).digest("hex")}`,
    });
    status = 500;
    await expect(hooks.post(url, event)).rejects.toThrow(/answered 500/);
  });
});
