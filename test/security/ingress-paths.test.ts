// Finding 3: authentication sits on the route, after routing. Every endpoint of every ingress
// service gets the same corpus of request targets (percent-encoded letters, absolute-form, dot
// segments, doubled slashes...) without credentials over a real socket: none may reach a handler.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp as buildAlertApp, WEBHOOK_PATH } from "../../services/alert-ingest/http.js";
import { createService as createAlertService } from "../../services/alert-ingest/service.js";
import { webhook } from "../../services/alert-ingest/fixtures.test-util.js";
import { buildApp as buildTriggerApp } from "../../services/release-trigger/http.js";
import { createService as createTriggerService } from "../../services/release-trigger/service.js";
import { fakePublisher, fakeRollouts, ratingsSpec } from "../../services/release-trigger/fakes.test-util.js";
import { createFastifyReceiver } from "../../services/approval-gateway/receiver.js";
import { pathVariants, rawRequest } from "./raw-http.test-util.js";

const alertsPublished: string[] = [];
const servers: FastifyInstance[] = [];
let alertPort = 0;
let triggerPort = 0;
let slackPort = 0;
let slackReached = 0;
const trigger = fakePublisher();

async function listen(app: FastifyInstance): Promise<number> {
  servers.push(app);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const a = app.server.address();
  return typeof a === "object" && a !== null ? a.port : 0;
}

beforeAll(async () => {
  const index = { list: async () => [{ releaseId: "shop/ratings/v2", version: "v2", service: "ratings", alertMatchers: [{ alertname: "A" }] }] };
  const alerts = createAlertService({ index, publish: async (_s, m) => (alertsPublished.push(m.id), { duplicate: false }) });
  alertPort = await listen(buildAlertApp({ service: alerts, bearerToken: "alert-token-0123456789" }));
  const rollouts = fakeRollouts([{ namespace: "shop", name: "ratings", spec: ratingsSpec(), generation: 1 }]);
  const svc = createTriggerService({ rollouts, publisher: trigger, newId: () => "id" });
  triggerPort = await listen(buildTriggerApp({ service: svc, githubSecret: "github-secret", apiToken: "api-token-0123456789" }));
  const receiver = createFastifyReceiver({ signingSecret: "slack-secret" });
  receiver.init({ processEvent: async () => void slackReached++ } as never);
  slackPort = await listen(receiver.fastify);
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

const firing = JSON.stringify(webhook({ alertname: "A", namespace: "shop", service: "ratings" }));
const json = { "content-type": "application/json" };

describe("no request target walks around authentication", () => {
  it.each(pathVariants(WEBHOOK_PATH))("alert-ingest %s without a token reaches no handler", async (target) => {
    const before = alertsPublished.length;
    const res = await rawRequest(alertPort, "POST", target, json, firing);
    expect([400, 401, 404]).toContain(res.status);
    expect(alertsPublished.length).toBe(before);
  });

  const triggerPaths = ["/webhooks/github", "/api/v1/releases", "/api/v1/releases/shop/ratings/v2/actions"];
  const cases = triggerPaths.flatMap((p) => pathVariants(p).map((t) => [p, t] as const));
  it.each(cases)("release-trigger %s as %s without credentials reaches no handler", async (path, target) => {
    const body = path.endsWith("actions") ? { action: "abort", actor: "mallory" } : { rollout: "shop/ratings", version: "v2" };
    const headers = path.startsWith("/webhooks") ? { ...json, "x-github-event": "push", "x-github-delivery": "d1" } : json;
    const before = trigger.sent.length;
    const res = await rawRequest(triggerPort, "POST", target, headers, JSON.stringify(body));
    expect([400, 401, 404]).toContain(res.status);
    expect(trigger.sent.length).toBe(before);
  });

  it.each(pathVariants("/slack/events"))("approval-gateway %s unsigned reaches no listener", async (target) => {
    const before = slackReached;
    const res = await rawRequest(slackPort, "POST", target, json, JSON.stringify({ type: "block_actions" }));
    expect([400, 401, 404]).toContain(res.status);
    expect(slackReached).toBe(before);
  });
});
