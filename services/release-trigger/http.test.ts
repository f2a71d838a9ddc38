import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { sign } from "@octokit/webhooks-methods";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp, bearerMatches } from "./http.js";
import { createService, pushKeyOf } from "./service.js";
import { fakePublisher, fakeRollouts, ratingsSpec } from "./fakes.test-util.js";
import { checkGithubSignature } from "./github.js";
import type { RolloutRecord } from "./ports.js";

const secret = "webhook-secret";
const apiToken = "api-token-123";
const fixtureText = (name: string) => readFileSync(new URL(`../../test/fixtures/upstream/github/${name}`, import.meta.url), "utf8");

function setup(items: RolloutRecord[] = [{ namespace: "shop", name: "ratings", spec: ratingsSpec(), generation: 3 }]) {
  const publisher = fakePublisher();
  const rollouts = fakeRollouts(items);
  let n = 0;
  const service = createService({ rollouts, publisher, newId: () => `id-${++n}` });
  const app = buildApp({ service, githubSecret: secret, apiToken });
  return { app, publisher, rollouts };
}

type App = ReturnType<typeof setup>["app"];
let current: App | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function deliver(app: App, body: string, o: { event?: string; delivery?: string; sig?: string | null; type?: string } = {}) {
  const headers: Record<string, string> = {
    "content-type": o.type ?? "application/json",
    "x-github-event": o.event ?? "push",
    "x-github-delivery": o.delivery ?? "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    "user-agent": "GitHub-Hookshot/044aadd",
  };
  const sig = o.sig === undefined ? await sign(secret, body) : o.sig;
  if (sig !== null) headers["x-hub-signature-256"] = sig;
  return app.inject({ method: "POST", url: "/webhooks/github", headers, payload: body });
}

/** The drone fixture (a real tag push) re-pointed at org/ratings. */
function tagPush(tag = "v0.0.1"): string {
  const p = JSON.parse(fixtureText("push-tag-created-v0.0.1.drone-go-scm.json")) as Record<string, any>;
  p.repository.full_name = "Org/Ratings";
  p.ref = `refs/tags/${tag}`;
  return JSON.stringify(p);
}

describe("signature test vectors", () => {
  it("passes GitHub's documented vector and octokit's", async () => {
    const body = fixtureText("signature-vector-github-docs.txt");
    expect(body).toBe("Hello, World!");
    const sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(await checkGithubSignature("It's a Secret to Everybody", body, sig)).toEqual({ ok: true });
    expect((await checkGithubSignature("It's a Secret to Everybody", `${body} `, sig)).ok).toBe(false);
    const octo = "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3";
    expect(await checkGithubSignature("mysecret", JSON.stringify({ foo: "bar" }), octo)).toEqual({ ok: true });
    expect(await sign("mysecret", '{"foo":"bar"}')).toBe(octo);
  });
});

describe("POST /webhooks/github", () => {
  it("turns a signed tag push into cmd.orchestrator.release naming the rollout and version only", async () => {
    const { app, publisher } = setup();
    current = app;
    const res = await deliver(app, tagPush());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: [{ rollout: "shop/ratings", releaseId: "shop/ratings/v0.0.1", duplicate: false }] });
    expect(publisher.sent).toHaveLength(1);
    const { subject, msg } = publisher.sent[0]!;
    expect(subject).toBe("cmd.orchestrator.release");
    const key = pushKeyOf("Org/Ratings", "v0.0.1", "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd");
    expect(msg.id).toBe(`release:${key}:shop/ratings`);
    expect(msg.releaseId).toBe("shop/ratings/v0.0.1");
    expect(msg.data).not.toHaveProperty("spec");
    expect(msg.data).toMatchObject({
      rollout: { namespace: "shop", name: "ratings" },
      version: "v0.0.1",
      tag: "v0.0.1",
      commit: "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd",
      repository: "Org/Ratings",
      requestedBy: { kind: "github", id: "bradrydzewski" },
      idempotencyKey: key,
    });
  });

  // Finding 10: X-GitHub-Delivery is outside the signature; the same signed push re-sent with a fresh
  // delivery id is the same push.
  it("a replayed signed push with a new delivery id starts nothing new", async () => {
    const { app, publisher } = setup();
    current = app;
    const body = tagPush();
    await deliver(app, body, { delivery: "11111111-0000-0000-0000-000000000001" });
    const replay = await deliver(app, body, { delivery: "99999999-0000-0000-0000-000000000009" });
    expect(replay.statusCode).toBe(202);
    expect(replay.json()).toMatchObject({ accepted: [{ duplicate: true }] });
    expect(publisher.sent).toHaveLength(1);
  });

  it("a signed empty body is a 401, not a 500 (found by the fuzzer)", async () => {
    const { app, publisher } = setup();
    current = app;
    const sig = `sha256=${createHmac("sha256", secret).update("").digest("hex")}`;
    const res = await deliver(app, "", { sig });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatch(/empty body/);
    expect(publisher.sent).toEqual([]);
  });

  it("refuses a version the rollout's versionPattern does not allow", async () => {
    const { app, publisher } = setup([{ namespace: "shop", name: "ratings", spec: ratingsSpec({ versionPattern: "v[0-9]*.[0-9]*.[0-9]*" }), generation: 3 }]);
    current = app;
    const res = await deliver(app, tagPush("v-debug-shell"));
    expect(res.json()).toMatchObject({ accepted: [], ignored: [{ rollout: "shop/ratings", reason: expect.stringMatching(/does not match the rollout's versionPattern/) }] });
    expect(publisher.sent).toEqual([]);
  });

  it("starts nothing new on a redelivery", async () => {
    const { app, publisher } = setup();
    current = app;
    const body = tagPush();
    await deliver(app, body);
    const again = await deliver(app, body);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ accepted: [{ duplicate: true }] });
    expect(publisher.sent).toHaveLength(1);
  });

  it("accepts the form content type (signature over the raw form body)", async () => {
    const { app, publisher } = setup();
    current = app;
    const form = new URLSearchParams({ payload: tagPush() }).toString();
    const res = await deliver(app, form, { type: "application/x-www-form-urlencoded" });
    expect(res.statusCode).toBe(202);
    expect(publisher.sent).toHaveLength(1);
  });

  it.each([
    ["missing signature", null],
    ["forged signature", `sha256=${"0".repeat(64)}`],
    ["legacy sha1 only", "sha1=2b8b1e1b6b4ad4a3f1f5c5f5c5f5c5f5c5f5c5f5"],
    ["garbage", "nope"],
  ])("refuses a delivery with %s (401, nothing published)", async (_name, sig) => {
    const { app, publisher, rollouts } = setup();
    current = app;
    const res = await deliver(app, tagPush(), { sig });
    expect(res.statusCode).toBe(401);
    expect(publisher.sent).toHaveLength(0);
    expect(rollouts.calls).toBe(0);
  });

  it("refuses a body that differs from the signed one", async () => {
    const { app, publisher } = setup();
    current = app;
    const res = await deliver(app, tagPush("v9.9.9"), { sig: await sign(secret, tagPush("v1.0.0")) });
    expect(res.statusCode).toBe(401);
    expect(publisher.sent).toHaveLength(0);
  });

  it.each([
    ["push-branch-commit.drone-go-scm.json", /refs\/heads\/master is not a tag/],
    ["push-new-branch.octokit.json", /not a tag/],
    ["push-tag-deleted-v0.0.1.drone-go-scm.json", /was deleted/],
    ["push-tag-deleted-simple-tag.octokit.json", /was deleted/],
    ["push-tag-created-v0.0.1.drone-go-scm.json", /no VMRollout has spec.source.repository bradrydzewski\/drone-test-go/],
  ])("ignores %s with a reason", async (file, reason) => {
    const { app, publisher } = setup();
    current = app;
    const res = await deliver(app, fixtureText(file));
    expect(res.statusCode).toBe(202);
    expect(res.json().reason).toMatch(reason);
    expect(publisher.sent).toHaveLength(0);
  });

  it("ignores a tag that does not match the pattern, and a rollout without source", async () => {
    const { app, publisher } = setup([
      { namespace: "shop", name: "ratings", spec: ratingsSpec({ source: { repository: "org/ratings", tagPattern: "ratings-v*" } }) },
    ]);
    current = app;
    const res = await deliver(app, tagPush("v2.0.0"));
    expect(res.statusCode).toBe(202);
    expect(res.json().reason).toBe("shop/ratings: tag v2.0.0 does not match tagPattern ratings-v*");
    const simple = await deliver(app, fixtureText("push-tag-created-simple-tag.octokit-ghes-34.json"));
    expect(simple.json().reason).toMatch(/no VMRollout/);
    expect(publisher.sent).toHaveLength(0);
  });

  it("releases every matching rollout of the repository", async () => {
    const { app, publisher } = setup([
      { namespace: "shop", name: "ratings", spec: ratingsSpec() },
      { namespace: "shop-eu", name: "ratings", spec: ratingsSpec() },
      { namespace: "shop", name: "ratings-canary-only", spec: ratingsSpec({ source: { repository: "org/ratings", tagPattern: "x*" } }) },
    ]);
    current = app;
    const res = await deliver(app, tagPush("v3.1.0"));
    expect(res.json().accepted.map((a: { releaseId: string }) => a.releaseId)).toEqual(["shop/ratings/v3.1.0", "shop-eu/ratings/v3.1.0"]);
    expect(res.json().ignored).toHaveLength(1);
    expect(publisher.sent).toHaveLength(2);
  });

  it("answers ping and ignores other events", async () => {
    const { app } = setup();
    current = app;
    const ping = await deliver(app, JSON.stringify({ zen: "Design for failure.", hook_id: 1 }), { event: "ping" });
    expect(ping.statusCode).toBe(200);
    expect(ping.json()).toMatchObject({ ok: true, zen: "Design for failure." });
    const create = await deliver(app, fixtureText("create-tag-v0.0.1.drone-go-scm.json"), { event: "create" });
    expect(create.statusCode).toBe(202);
    expect(create.json().reason).toMatch(/event create is not handled/);
  });

  it("rejects a malformed (but signed) body and a delivery without id", async () => {
    const { app, publisher } = setup();
    current = app;
    expect((await deliver(app, "{not json")).statusCode).toBe(400);
    expect((await deliver(app, "payload=%7Bx", { type: "application/x-www-form-urlencoded" })).statusCode).toBe(400);
    expect((await deliver(app, "[1,2]")).statusCode).toBe(400);
    expect((await deliver(app, tagPush(), { delivery: "" })).statusCode).toBe(400);
    const noRepo = JSON.stringify({ ref: "refs/tags/v1", created: true, deleted: false });
    expect((await deliver(app, noRepo)).statusCode).toBe(400);
    expect(publisher.sent).toHaveLength(0);
  });
});

describe("POST /api/v1/releases", () => {
  const post = (app: App, payload: unknown, token: string | null = apiToken, headers: Record<string, string> = {}) =>
    app.inject({
      method: "POST",
      url: "/api/v1/releases",
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
      payload: payload as Record<string, unknown>,
    });

  it("requests a release with the bearer token", async () => {
    const { app, publisher } = setup();
    current = app;
    const res = await post(app, { rollout: "shop/ratings", version: "v2.3.0", commit: "abcdef1", requestedBy: "alice" });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ releaseId: "shop/ratings/v2.3.0", duplicate: false });
    expect(publisher.sent[0]?.msg.data).toMatchObject({ version: "v2.3.0", commit: "abcdef1", requestedBy: { kind: "api", id: "alice" }, repository: "org/ratings" });
    expect((await post(app, { rollout: "shop/ratings", version: "v2.3.0" })).json().duplicate).toBe(true);
    const keyed = await post(app, { rollout: "shop/ratings", version: "v2.3.0" }, apiToken, { "idempotency-key": "retry-2" });
    expect(keyed.json().duplicate).toBe(false);
  });

  it.each([[null], ["wrong-token"], [""]])("refuses token %s with 401", async (token) => {
    const { app, publisher } = setup();
    current = app;
    const res = await post(app, { rollout: "shop/ratings", version: "v2.3.0" }, token);
    expect(res.statusCode).toBe(401);
    expect(publisher.sent).toHaveLength(0);
  });

  it("404s an unknown rollout and 400s a bad body naming the field", async () => {
    const { app } = setup();
    current = app;
    expect((await post(app, { rollout: "shop/nope", version: "v1" })).statusCode).toBe(404);
    const bad = await post(app, { rollout: "shop/ratings", version: "v2 3" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/version/);
    const missing = await post(app, { version: "v1" });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toMatch(/rollout/);
    expect((await post(app, { rollout: "shop/ratings", version: "v1", extra: 1 })).statusCode).toBe(400);
  });

  it("compares tokens by value only", () => {
    expect(bearerMatches("Bearer abc", "abc")).toBe(true);
    expect(bearerMatches("bearer abc", "abc")).toBe(true);
    expect(bearerMatches("Bearer abcd", "abc")).toBe(false);
    expect(bearerMatches("Basic abc", "abc")).toBe(false);
    expect(bearerMatches("Bearer ", "")).toBe(false);
  });
});

describe("POST /api/v1/releases/:ns/:rollout/:version/actions", () => {
  it("publishes cmd.orchestrator.control", async () => {
    const { app, publisher } = setup();
    current = app;
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/releases/shop/ratings/v2.3.0/actions",
      headers: { authorization: `Bearer ${apiToken}` },
      payload: { action: "pause", actor: { kind: "cli", id: "alice" }, reason: "looking at logs" },
    });
    expect(res.statusCode).toBe(202);
    expect(publisher.sent[0]).toMatchObject({
      subject: "cmd.orchestrator.control",
      msg: { releaseId: "shop/ratings/v2.3.0", data: { action: "pause", actor: { kind: "cli", id: "alice" }, reason: "looking at logs" } },
    });
    const bad = await app.inject({
      method: "POST",
      url: "/api/v1/releases/shop/ratings/v2.3.0/actions",
      headers: { authorization: `Bearer ${apiToken}` },
      payload: { action: "explode", actor: "bob" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/action/);
    expect(publisher.sent).toHaveLength(1);
  });
});
