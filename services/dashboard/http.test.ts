import { describe, expect, it } from "vitest";
import { csrfToken, hashToken, parseTokenEntry } from "./auth.js";
import { fakeDashboard, storedRelease } from "./fakes.test-util.js";
import { buildApp, CSRF_HEADER } from "./http.js";

const SECRET = "csrf-secret-0123456789";
const ID = "bookinfo/ratings/v2.0.0";
const URL_ACT = `/api/v1/releases/${ID}/actions`;

async function app(o: { anonymousRead?: boolean } = {}) {
  const f = fakeDashboard({ [ID]: storedRelease(), "shop/ratings/v1.0.0": storedRelease({ namespace: "shop", version: "v1.0.0", done: true }) });
  await f.service.init();
  const a = buildApp({
    service: f.service,
    hub: f.hub,
    auth: {
      trustedProxies: ["127.0.0.1"],
      userHeader: "x-auth-request-user",
      emailHeader: "x-auth-request-email",
      nameHeader: "x-auth-request-preferred-username",
      groupsHeader: "x-auth-request-groups",
      tokens: [parseTokenEntry(`alice:${hashToken("alice-token-0123456789")}`, 0), parseTokenEntry(`robot:${hashToken("robot-token-0123456789")}`, 1)],
      anonymousRead: o.anonymousRead ?? false,
      csrfSecret: SECRET,
    },
  });
  return { ...f, app: a };
}

// inject() comes from 127.0.0.1, the configured proxy.
const asProxy = (user: string) => ({ "x-auth-request-user": user });

describe("dashboard HTTP", () => {
  it("refuses anonymous reads unless enabled, and tells who is signed in", async () => {
    const { app: a } = await app();
    expect((await a.inject({ url: "/api/v1/releases" })).statusCode).toBe(401);
    expect((await a.inject({ url: "/api/v1/me" })).json()).toEqual({ user: null, canRead: false, csrfToken: null });
    const me = (await a.inject({ url: "/api/v1/me", headers: asProxy("alice") })).json() as { user: { id: string }; csrfToken: string };
    expect(me.user.id).toBe("alice");
    expect(me.csrfToken).toBe(csrfToken(SECRET, { kind: "user", via: "proxy", id: "alice", groups: [] }));
    const { app: open } = await app({ anonymousRead: true });
    expect((await open.inject({ url: "/api/v1/releases" })).statusCode).toBe(200);
  });

  it("lists each rollout's current release, filters, and serves the detail", async () => {
    const { app: a } = await app({ anonymousRead: true });
    const list = (await a.inject({ url: "/api/v1/releases" })).json() as { releases: Array<{ releaseId: string; phase: string; approvers: string[] }>; total: number; live: number };
    expect(list).toMatchObject({ total: 2, live: 1 });
    expect(list.releases.map((r) => [r.releaseId, r.phase])).toEqual([[ID, "awaiting approval"], ["shop/ratings/v1.0.0", "promoted"]]);
    expect(list.releases[0]?.approvers).toEqual(["alice"]);
    expect(((await a.inject({ url: "/api/v1/releases?q=shop" })).json() as { releases: unknown[] }).releases).toHaveLength(1);
    const d = (await a.inject({ url: `/api/v1/releases/${ID}` })).json() as { actions: Record<string, string | null>; timeline: Array<{ kind: string }>; slackThread: string };
    expect(d.actions.approve).toBeNull();
    expect(d.actions.resume).toMatch(/only a paused release/);
    expect(d.timeline.map((t) => t.kind)).toEqual(["decision", "decision"]);
    expect(d.slackThread).toBe("https://slack.com/app_redirect?channel=C0RELEASES&message_ts=1700000000.000100");
    expect((await a.inject({ url: "/api/v1/releases/bookinfo/ratings/v9" })).statusCode).toBe(404);
    const page = await a.inject({ url: `/releases/${ID}` });
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect((await a.inject({ url: "/static/uplot/uPlot.iife.min.js" })).statusCode).toBe(200);
  });

  it("never lets an anonymous caller act, even with anonymous reads on", async () => {
    const { app: a, sent } = await app({ anonymousRead: true });
    const r = await a.inject({ method: "POST", url: URL_ACT, payload: { action: "approve" } });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toEqual({ error: "sign in to approve: anonymous people may not act" });
    // The identity never comes from the body.
    expect((await a.inject({ method: "POST", url: URL_ACT, payload: { action: "approve", actor: { kind: "dashboard", id: "alice" } } })).statusCode).toBe(400);
    expect(sent).toEqual([]);
  });

  it("asks proxy-authenticated browsers for the CSRF token and a same-origin request", async () => {
    const { app: a, sent } = await app();
    const token = csrfToken(SECRET, { kind: "user", via: "proxy", id: "alice", groups: [] });
    expect((await a.inject({ method: "POST", url: URL_ACT, headers: asProxy("alice"), payload: { action: "approve" } })).statusCode).toBe(403);
    expect((await a.inject({ method: "POST", url: URL_ACT, headers: { ...asProxy("alice"), [CSRF_HEADER]: "wrong" }, payload: { action: "approve" } })).statusCode).toBe(403);
    const cross = await a.inject({ method: "POST", url: URL_ACT, headers: { ...asProxy("alice"), [CSRF_HEADER]: token, origin: "https://evil.example", host: "dash.example" }, payload: { action: "approve" } });
    expect(cross.statusCode).toBe(403);
    expect(sent).toEqual([]);
    const ok = await a.inject({ method: "POST", url: URL_ACT, headers: { ...asProxy("alice"), [CSRF_HEADER]: token }, payload: { action: "approve", reason: "looks good" } });
    expect(ok.statusCode).toBe(202);
    expect(sent).toEqual([{ releaseId: ID, data: { action: "approve", actor: { kind: "dashboard", id: "alice" }, reason: "looks good" } }]);
  });

  it("authorizes by the rollout's approvers: 403 with the reason for others, 409 when the action does not apply", async () => {
    const { app: a, sent } = await app();
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    const refused = await a.inject({ method: "POST", url: URL_ACT, headers: bearer("robot-token-0123456789"), payload: { action: "approve" } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: "robot may not approve this release: you are not an approver; ask alice" });
    const notNow = await a.inject({ method: "POST", url: URL_ACT, headers: bearer("alice-token-0123456789"), payload: { action: "resume" } });
    expect(notNow.statusCode).toBe(409);
    expect((await a.inject({ method: "POST", url: URL_ACT, headers: bearer("alice-token-0123456789"), payload: { action: "pause" } })).statusCode).toBe(202);
    expect(sent.map((s) => [s.data.action, s.data.actor.id])).toEqual([["pause", "alice"]]);
    expect((await a.inject({ method: "POST", url: URL_ACT, headers: { ...bearer("not-a-token"), ...asProxy("alice") }, payload: { action: "pause" } })).statusCode).toBe(401);
  });
});
