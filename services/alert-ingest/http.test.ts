import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { upstream, upstreamFixtures, webhook } from "./fixtures.test-util.js";
import { bearerMatches, buildApp, WEBHOOK_PATH } from "./http.js";
import type { PublishAlert } from "./ports.js";
import { createService } from "./service.js";

const index = {
  list: async () => [
    { releaseId: "shop/ratings/v2", version: "v2", service: "ratings", alertMatchers: [{ alertname: "ICMP ping failed" }] },
  ],
};

const apps: FastifyInstance[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()?.close();
});

function app(opts: { token?: string; publish?: PublishAlert; bodyLimit?: number } = {}) {
  const sent: Array<{ subject: string; id: string }> = [];
  const seen = new Set<string>();
  const publish: PublishAlert =
    opts.publish ??
    (async (subject, m) => {
      sent.push({ subject, id: m.id });
      const duplicate = seen.has(m.id);
      seen.add(m.id);
      return { duplicate };
    });
  const a = buildApp({
    service: createService({ index, publish }),
    ...(opts.token === undefined ? { insecureNoAuth: true } : { bearerToken: opts.token }),
    ...(opts.bodyLimit === undefined ? {} : { bodyLimit: opts.bodyLimit }),
  });
  apps.push(a);
  return { app: a, sent };
}

const json = { "content-type": "application/json" };

describe("POST /webhooks/alertmanager", () => {
  it("answers 200 with accepted and ignored alerts", async () => {
    const { app: a, sent } = app();
    const body = webhook({ alertname: "A", namespace: "shop", service: "ratings" });
    body.alerts.push({ ...body.alerts[0]!, labels: { alertname: "B", namespace: "other", service: "x" }, fingerprint: "fedcba9876543210" });
    const res = await a.inject({ method: "POST", url: WEBHOOK_PATH, headers: json, payload: body });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 1, ignored: [{ fingerprint: "fedcba9876543210", reason: expect.stringMatching(/no release in flight/) }] });
    expect(sent).toEqual([{ subject: "evt.alert.fired", id: "alert:0123456789abcdef:firing:2025-01-01T00:00:00.123456789Z:shop/ratings/v2" }]);
  });

  it.each(upstreamFixtures)("accepts the upstream variant %s", async (name) => {
    const { app: a } = app();
    const res = await a.inject({ method: "POST", url: WEBHOOK_PATH, headers: { "content-type": "application/json; charset=utf-8" }, payload: JSON.stringify(upstream(name)) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveProperty("accepted");
  });

  it("400 for malformed JSON", async () => {
    const res = await app().app.inject({ method: "POST", url: WEBHOOK_PATH, headers: json, payload: '{"status": "firing", "alerts": [' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/JSON/i);
  });

  it("400 for an empty JSON body", async () => {
    const res = await app().app.inject({ method: "POST", url: WEBHOOK_PATH, headers: json, payload: "" });
    expect(res.statusCode).toBe(400);
  });

  it.each([
    ["a label that is not a string", { status: "firing", alerts: [{ labels: { severity: 3 } }] }, /\/alerts\/0\/labels\/severity/],
    ["no alerts", { status: "firing" }, /alerts/],
    ["no status", { alerts: [] }, /status/],
    ["not an object", [1, 2], /body/],
  ])("400 naming the field for %s", async (_n, payload, field) => {
    const res = await app().app.inject({ method: "POST", url: WEBHOOK_PATH, headers: json, payload: JSON.stringify(payload) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(field);
  });

  it("413 for a body over the limit", async () => {
    const big = webhook({ alertname: "A", junk: "x".repeat(5000) });
    const res = await app({ bodyLimit: 4096 }).app.inject({ method: "POST", url: WEBHOOK_PATH, headers: json, payload: JSON.stringify(big) });
    expect(res.statusCode).toBe(413);
  });

  it.each([["text/plain"], ["application/x-www-form-urlencoded"]])("415 for %s", async (ct) => {
    const res = await app().app.inject({ method: "POST", url: WEBHOOK_PATH, headers: { "content-type": ct }, payload: "status=firing" });
    expect(res.statusCode).toBe(415);
  });

  it("415 for a body without a content type", async () => {
    const res = await app().app.inject({ method: "POST", url: WEBHOOK_PATH, payload: Buffer.from(JSON.stringify(webhook({ alertname: "A" }))) });
    expect(res.statusCode).toBe(415);
  });

  it("401 without or with a wrong bearer token when one is configured, 200 with it", async () => {
    const token = "s3cret-token-0123456789";
    const { app: a } = app({ token });
    const payload = JSON.stringify(webhook({ alertname: "A" }));
    expect((await a.inject({ method: "POST", url: WEBHOOK_PATH, headers: json, payload })).statusCode).toBe(401);
    const wrong = await a.inject({ method: "POST", url: WEBHOOK_PATH, headers: { ...json, authorization: "Bearer nope" }, payload });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/^Bearer/);
    const right = await a.inject({ method: "POST", url: WEBHOOK_PATH, headers: { ...json, authorization: `Bearer ${token}` }, payload });
    expect(right.statusCode).toBe(200);
  });

  it("503 when NATS refuses the event, so Alertmanager retries", async () => {
    const { app: a } = app({
      publish: async () => {
        throw new Error("no responders");
      },
    });
    const res = await a.inject({ method: "POST", url: WEBHOOK_PATH, headers: json, payload: webhook({ alertname: "A", namespace: "shop", service: "ratings" }) });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/publishing evt\.alert\.fired for shop\/ratings\/v2 failed: no responders/);
  });

  it("a repeated notification is accepted again and deduplicated downstream", async () => {
    const { app: a, sent } = app();
    const payload = webhook({ alertname: "A", namespace: "shop", service: "ratings" });
    for (let i = 0; i < 2; i++) expect((await a.inject({ method: "POST", url: WEBHOOK_PATH, headers: json, payload })).statusCode).toBe(200);
    expect(sent[0]?.id).toBe(sent[1]?.id);
  });
});

describe("bearerMatches", () => {
  it.each([
    ["Bearer abc", true],
    ["bearer abc", true],
    ["Bearer abcd", false],
    ["Basic abc", false],
    [undefined, false],
  ])("%s → %s", (header, want) => {
    expect(bearerMatches(header, "abc")).toBe(want);
  });
});
