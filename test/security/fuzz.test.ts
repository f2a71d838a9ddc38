// Issue 14 acceptance: property-based fuzzing with fast-check, 10,000 generated inputs each against
// the HTTP bodies of the three ingress services (through `inject()`, no sockets) and the NATS codec.
// Properties: no 5xx, no crash, no forgery accepted (an unsigned or wrongly signed request never
// reaches a handler; the shared token never approves). Counts are in docs/security.md.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decode, InvalidMessageError } from "../../schemas/codec.js";
import { catalog } from "../../schemas/catalog.js";
import type { Subject } from "../../schemas/subjects.js";
import { buildApp as buildAlertApp } from "../../services/alert-ingest/http.js";
import { createService as createAlertService } from "../../services/alert-ingest/service.js";
import { upstream, webhook } from "../../services/alert-ingest/fixtures.test-util.js";
import { createFastifyReceiver } from "../../services/approval-gateway/receiver.js";
import { buildApp as buildTriggerApp } from "../../services/release-trigger/http.js";
import { createService as createTriggerService } from "../../services/release-trigger/service.js";
import { fakePublisher, fakeRollouts, ratingsSpec } from "../../services/release-trigger/fakes.test-util.js";

const RUNS = 10_000;
const T = 600_000;

/** A JSON-ish body: valid JSON values, near-valid mutations of a real payload, or any text. */
const bodyOf = (seed: unknown) =>
  fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 300 }),
    fc.constantFrom("null", "[]", "{}", '""', "0", "true", "{", '{"a":', "\u0000", "[".repeat(5000)),
    fc.tuple(fc.jsonValue(), fc.string({ maxLength: 20 })).map(([v, k]) => {
      const o = structuredClone(seed) as Record<string, unknown>;
      o[k] = v;
      return JSON.stringify(o);
    }),
  );

const tally = () => {
  const by = new Map<number, number>();
  return { add: (s: number) => by.set(s, (by.get(s) ?? 0) + 1), get: () => Object.fromEntries([...by].sort()) };
};

describe("fuzzing the ingress bodies (10,000 inputs each)", () => {
  it("release-trigger: no 5xx; unsigned or wrongly signed deliveries and the shared token's approvals are refused", async () => {
    const publisher = fakePublisher();
    const service = createTriggerService({ rollouts: fakeRollouts([{ namespace: "shop", name: "ratings", spec: ratingsSpec(), generation: 1 }]), publisher, newId: () => "n" });
    const app = buildTriggerApp({ service, githubSecret: "webhook-secret", apiToken: "shared-token-0123456789" });
    const seed = { ref: "refs/tags/v1.2.3", created: true, deleted: false, repository: { full_name: "org/ratings" }, after: "9fceb02d0ae598e95dc970b74767f19372d61af8" };
    const statuses = tally();
    let forgeries = 0;
    await fc.assert(
      fc.asyncProperty(bodyOf(seed), fc.constantFrom("signed", "wrong-secret", "garbage", "none", "api-release", "api-action"), fc.constantFrom("approve", "promote", "reject", "pause"), async (body, how, action) => {
        const before = publisher.sent.length;
        let res;
        if (how.startsWith("api")) {
          const url = how === "api-release" ? "/api/v1/releases" : "/api/v1/releases/shop/ratings/v1.2.3/actions";
          const payload = how === "api-action" ? JSON.stringify({ action, actor: body.slice(0, 50) || "x" }) : body;
          res = await app.inject({ method: "POST", url, headers: { "content-type": "application/json", authorization: "Bearer shared-token-0123456789" }, payload });
          const decided = publisher.sent.slice(before).some((s) => s.subject === "cmd.orchestrator.decide");
          if (decided) forgeries++;
        } else {
          const hmac = (key: string) => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
          const sig = how === "signed" ? hmac("webhook-secret") : how === "wrong-secret" ? hmac("other-secret") : how === "garbage" ? `sha256=${"ab".repeat(32)}` : undefined;
          res = await app.inject({
            method: "POST",
            url: "/webhooks/github",
            headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "d-1", ...(sig === undefined ? {} : { "x-hub-signature-256": sig }) },
            payload: body,
          });
          if (how !== "signed" && (res.statusCode < 400 || publisher.sent.length > before)) forgeries++;
        }
        statuses.add(res.statusCode);
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
    expect(forgeries).toBe(0);
    console.info("release-trigger statuses", statuses.get());
    await app.close();
  }, T);

  it("alert-ingest: no 5xx; without the token nothing is published", async () => {
    let published = 0;
    const index = { list: async () => [{ releaseId: "shop/ratings/v2", version: "v2", service: "ratings", alertMatchers: [{ alertname: "A" }] }] };
    const app = buildAlertApp({ service: createAlertService({ index, publish: async () => (published++, { duplicate: false }) }), bearerToken: "alert-token-0123456789" });
    const seeds = [webhook({ alertname: "A", namespace: "shop", service: "ratings" }), upstream("webhook-v4-firing-3-alerts-blackbox.json")];
    const statuses = tally();
    let forgeries = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds).chain(bodyOf), fc.constantFrom("Bearer alert-token-0123456789", "Bearer alert-token-0123456788", "", "bearer  alert-token-0123456789 x"), async (body, auth) => {
        const before = published;
        const res = await app.inject({ method: "POST", url: "/webhooks/alertmanager", headers: { "content-type": "application/json", ...(auth === "" ? {} : { authorization: auth }) }, payload: body });
        statuses.add(res.statusCode);
        expect(res.statusCode).toBeLessThan(500);
        if (auth !== "Bearer alert-token-0123456789" && (res.statusCode !== 401 || published > before)) forgeries++;
      }),
      { numRuns: RUNS },
    );
    expect(forgeries).toBe(0);
    console.info("alert-ingest statuses", statuses.get());
    await app.close();
  }, T);

  it("approval-gateway: no 5xx; an unsigned or wrongly signed request never reaches Bolt", async () => {
    const secret = "slack-signing-secret";
    const now = 1_700_000_000_000;
    const receiver = createFastifyReceiver({ signingSecret: secret, clock: () => now, ackTimeoutMs: 50 });
    let reached = 0;
    let signedSeen = 0;
    receiver.init({ processEvent: async (e: { ack: (b?: unknown) => Promise<void> }) => (reached++, e.ack()) } as never);
    const statuses = tally();
    let n = 0;
    const seed = { type: "block_actions", user: { id: "UALICE" }, actions: [{ action_id: "approve", value: "x" }] };
    await fc.assert(
      fc.asyncProperty(bodyOf(seed), fc.constantFrom("signed", "wrong-secret", "stale", "none"), fc.boolean(), async (json, how, form) => {
        const raw = form ? new URLSearchParams({ payload: json }).toString() : json;
        // A fresh timestamp per request: the replay guard refuses a repeated (timestamp, signature).
        const ts = String(Math.floor(now / 1000) - (how === "stale" ? 600 : n++ % 200));
        const key = how === "wrong-secret" ? "other" : secret;
        const sig = how === "none" ? undefined : `v0=${createHmac("sha256", key).update(`v0:${ts}:${raw}`).digest("hex")}`;
        const before = reached;
        const res = await receiver.fastify.inject({
          method: "POST",
          url: "/slack/events",
          headers: { "content-type": form ? "application/x-www-form-urlencoded" : "application/json", "x-slack-request-timestamp": ts, ...(sig === undefined ? {} : { "x-slack-signature": sig }) },
          payload: raw,
        });
        statuses.add(res.statusCode);
        expect(res.statusCode).toBeLessThan(500);
        if (how === "signed") signedSeen++;
        else expect(reached).toBe(before);
      }),
      { numRuns: RUNS },
    );
    console.info("approval-gateway statuses", statuses.get(), { signedSeen, reached });
    await receiver.stop();
  }, T);
});

describe("fuzzing the NATS codec (10,000 inputs)", () => {
  const subjects = Object.keys(catalog) as Subject[];
  it("decode returns a valid message or throws InvalidMessageError, nothing else", () => {
    let accepted = 0;
    const envelopeOf = (type: string, data: unknown) => ({ id: "x1", type, v: 1, occurredAt: "2026-01-01T00:00:00Z", data });
    fc.assert(
      fc.property(
        fc.constantFrom(...subjects),
        fc.oneof(
          fc.jsonValue().map((d) => JSON.stringify(d)),
          fc.string({ maxLength: 200 }),
          fc.jsonValue().map((d) => JSON.stringify(envelopeOf("evt.release.requested", d))),
          fc.uint8Array({ maxLength: 200 }),
          fc.constant(JSON.stringify({ ...envelopeOf("cmd.orchestrator.control", { action: "pause", actor: { kind: "cli", id: "a" } }), releaseId: "shop/ratings/v2" })),
          fc.record({ k: fc.string({ maxLength: 10 }), v: fc.jsonValue() }).map(({ k, v }) => JSON.stringify({ ...envelopeOf("cmd.orchestrator.control", { action: "pause", actor: { kind: "cli", id: "a" } }), [k]: v })),
        ),
        (subject, bytes) => {
          try {
            decode(subject, bytes);
            accepted++;
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidMessageError);
          }
        },
      ),
      { numRuns: RUNS },
    );
    console.info("codec accepted", accepted, "of", RUNS);
  });
});
