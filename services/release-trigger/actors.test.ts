// Finding 2: approve, reject and promote through the release API count only for the person a
// per-person token maps to; the shared token and self-declared actors are refused.
import { describe, expect, it } from "vitest";
import { buildApp } from "./http.js";
import { createService } from "./service.js";
import { fakePublisher, fakeRollouts, ratingsSpec } from "./fakes.test-util.js";
import { tokenDigest } from "./people.js";
import { load } from "./config.js";

const shared = "shared-api-token-0123";
const aliceToken = "alice-personal-token-0123456789";

function setup() {
  const publisher = fakePublisher();
  const rollouts = fakeRollouts([{ namespace: "shop", name: "ratings", spec: ratingsSpec(), generation: 3 }]);
  let n = 0;
  const service = createService({ rollouts, publisher, newId: () => `id-${++n}` });
  const people = { [tokenDigest(aliceToken)]: { user: "U0ALICE", name: "alice", groups: ["S0ONCALL"] } };
  return { app: buildApp({ service, githubSecret: "webhook-secret", apiToken: shared, people }), publisher };
}

const act = (app: ReturnType<typeof setup>["app"], token: string, payload: Record<string, unknown>) =>
  app.inject({ method: "POST", url: "/api/v1/releases/shop/ratings/v2.3.0/actions", headers: { authorization: `Bearer ${token}` }, payload });

describe("operator actions through the release API", () => {
  it.each(["approve", "promote", "reject"])("the shared token cannot %s, whatever actor it names", async (action) => {
    const { app, publisher } = setup();
    const res = await act(app, shared, { action, actor: { kind: "cli", id: "U0ALICE" } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatch(/needs a per-person token/);
    expect(publisher.sent).toEqual([]);
  });

  it("a per-person token approves as its user, on the decide subject, with its groups", async () => {
    const { app, publisher } = setup();
    const res = await act(app, aliceToken, { action: "approve", reason: "looks good" });
    expect(res.statusCode).toBe(202);
    expect(publisher.sent).toMatchObject([
      { subject: "cmd.orchestrator.decide", msg: { data: { action: "approve", actor: { kind: "api", id: "U0ALICE", name: "alice" }, groups: ["S0ONCALL"], reason: "looks good" } } },
    ]);
  });

  it("a per-person token cannot act as somebody else", async () => {
    const { app, publisher } = setup();
    const res = await act(app, aliceToken, { action: "promote", actor: { kind: "api", id: "U0BOB" } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatch(/is not the token's user U0ALICE/);
    expect(publisher.sent).toEqual([]);
  });

  it("the shared token may still pause, resume and abort (safe), on the control subject", async () => {
    const { app, publisher } = setup();
    for (const action of ["pause", "resume", "abort"]) expect((await act(app, shared, { action, actor: "ops-bot" })).statusCode).toBe(202);
    expect(publisher.sent.map((s) => s.subject)).toEqual(["cmd.orchestrator.control", "cmd.orchestrator.control", "cmd.orchestrator.control"]);
  });

  it("a release asked for with a per-person token is requested by that person", async () => {
    const { app, publisher } = setup();
    const res = await app.inject({ method: "POST", url: "/api/v1/releases", headers: { authorization: `Bearer ${aliceToken}` }, payload: { rollout: "shop/ratings", version: "v2.3.0", requestedBy: "mallory" } });
    expect(res.statusCode).toBe(202);
    expect(publisher.sent[0]?.msg.data).toMatchObject({ requestedBy: { kind: "api", id: "U0ALICE" } });
  });

  it("an unknown token is 401", async () => {
    const { app } = setup();
    expect((await act(app, "not-a-known-token-0000", { action: "pause" })).statusCode).toBe(401);
  });
});

describe("SISKIN_API_PEOPLE", () => {
  const env = { SISKIN_GITHUB_WEBHOOK_SECRET: "webhook-secret", SISKIN_API_TOKEN: shared };
  it("maps token digests to people", () => {
    const people = { [tokenDigest(aliceToken)]: { user: "U0ALICE", groups: ["S0ONCALL"] } };
    expect(load({ ...env, SISKIN_API_PEOPLE: JSON.stringify(people) }).api.people).toEqual(people);
    expect(load(env).api.people).toEqual({});
  });

  it("refuses a key that is not a digest (a token pasted in clear), without echoing it", () => {
    const run = () => load({ ...env, SISKIN_API_PEOPLE: JSON.stringify({ [aliceToken]: { user: "U0ALICE" } }) });
    expect(run).toThrow(/SISKIN_API_PEOPLE: 1 key\(s\) are not SHA-256 hex digests/);
    try {
      run();
    } catch (err) {
      expect(String(err)).not.toContain(aliceToken);
    }
  });
});
