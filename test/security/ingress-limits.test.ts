// Finding 5: every HTTP ingress reads at most ~1 MiB before it checks a signature or a token, drops
// a client that stalls, caps its connections, validates cheaply first, and answers a signed Slack
// body of `null` with a 400.
import { createHmac } from "node:crypto";
import { connect } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp as buildAlertApp } from "../../services/alert-ingest/http.js";
import { createService as createAlertService } from "../../services/alert-ingest/service.js";
import { createFastifyReceiver } from "../../services/approval-gateway/receiver.js";
import { buildApp as buildTriggerApp } from "../../services/release-trigger/http.js";
import { createService as createTriggerService } from "../../services/release-trigger/service.js";
import { fakePublisher, fakeRollouts } from "../../services/release-trigger/fakes.test-util.js";

const apps: FastifyInstance[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()?.close();
});

function trigger(limits = {}) {
  const publisher = fakePublisher();
  const app = buildTriggerApp({ service: createTriggerService({ rollouts: fakeRollouts([]), publisher, newId: () => "x" }), githubSecret: "webhook-secret", apiToken: "api-token-0123456789", limits });
  apps.push(app);
  return app;
}
function alerts(limits = {}) {
  let published = 0;
  const service = createAlertService({ index: { list: async () => [] }, publish: async () => (published++, { duplicate: false }) });
  const app = buildAlertApp({ service, bearerToken: "alert-token-0123456789", limits });
  apps.push(app);
  return { app, published: () => published };
}

const MiB = 1024 * 1024;

describe("body limits: at most 1 MiB is read before any signature or token check", () => {
  it("release-trigger refuses a 2 MiB push with 413 (it used to read 26 MiB first)", async () => {
    const body = JSON.stringify({ ref: "refs/tags/v1", pad: "x".repeat(2 * MiB) });
    const res = await trigger().inject({ method: "POST", url: "/webhooks/github", headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "d", "x-hub-signature-256": "sha256=00" }, payload: body });
    expect(res.statusCode).toBe(413);
  });

  it("alert-ingest refuses a 2 MiB body with 413", async () => {
    const { app } = alerts();
    const res = await app.inject({ method: "POST", url: "/webhooks/alertmanager", headers: { "content-type": "application/json", authorization: "Bearer alert-token-0123456789" }, payload: JSON.stringify({ pad: "x".repeat(2 * MiB) }) });
    expect(res.statusCode).toBe(413);
  });

  it("every ingress caps its open connections", () => {
    expect(trigger().server.maxConnections).toBe(64);
    expect(alerts().app.server.maxConnections).toBe(64);
    const r = createFastifyReceiver({ signingSecret: "s" });
    apps.push(r.fastify);
    expect(r.fastify.server.maxConnections).toBe(64);
  });
});

describe("a slow body is cut off", () => {
  it.each([["release-trigger", () => trigger({ connectionTimeoutMs: 300 }), "/webhooks/github"], ["alert-ingest", () => alerts({ connectionTimeoutMs: 300 }).app, "/webhooks/alertmanager"]] as const)(
    "%s closes a connection that stalls mid-body",
    async (_name, build, path) => {
      const app = build();
      await app.listen({ host: "127.0.0.1", port: 0 });
      const port = (app.server.address() as { port: number }).port;
      const started = process.hrtime.bigint();
      const closed = await new Promise<string>((resolve, reject) => {
        const sock = connect({ host: "127.0.0.1", port });
        let got = "";
        sock.on("data", (c: Buffer) => (got += c.toString()));
        sock.on("error", reject);
        sock.on("close", () => resolve(got));
        // Announce 1 MiB, send 10 bytes, then nothing: the server must not wait for the rest.
        sock.write(`POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${MiB}\r\n\r\n{"alerts":`);
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(closed).not.toMatch(/^HTTP\/1\.1 [25]/);
      expect(ms).toBeLessThan(5_000);
    },
  );
});

describe("cheap validation before deep work", () => {
  // The refusal comes from the shape check (its message), so the schema never walks the junk; the
  // time is recorded in docs/security.md, not asserted (this machine is shared).
  it("a 1 MB array of junk alerts is refused with 400 by the shape check, before the schema walks it", async () => {
    const { app, published } = alerts();
    const junk = JSON.stringify({ version: "4", status: "firing", alerts: Array.from({ length: 120_000 }, (_, i) => i) });
    expect(junk.length).toBeGreaterThan(700_000);
    const res = await app.inject({ method: "POST", url: "/webhooks/alertmanager", headers: { "content-type": "application/json", authorization: "Bearer alert-token-0123456789" }, payload: junk });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: "invalid Alertmanager webhook body: /alerts/0 must be an object", problems: ["/alerts/0 must be an object"] });
    expect(published()).toBe(0);
  });
});

describe("a signed Slack body that is not an object", () => {
  it.each(["null", "42", "[]", '"x"'])("%s is a 400, not a 500", async (raw) => {
    const secret = "slack-signing-secret";
    const r = createFastifyReceiver({ signingSecret: secret, clock: () => 1_700_000_000_000 });
    apps.push(r.fastify);
    r.init({ processEvent: async () => undefined } as never);
    const ts = "1700000000";
    const sig = `v0=${createHmac("sha256", secret).update(`v0:${ts}:${raw}`).digest("hex")}`;
    const res = await r.fastify.inject({ method: "POST", url: "/slack/events", headers: { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": sig }, payload: raw });
    expect(res.statusCode).toBe(400);
  });
});
