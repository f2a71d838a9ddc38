import { describe, expect, it } from "vitest";
import { authorize, csrfMatches, csrfToken, hashToken, identify, isTrustedPeer, parseTokenEntry, type AuthSettings, type User } from "./auth.js";

const settings = (over: Partial<AuthSettings> = {}): AuthSettings => ({
  trustedProxies: ["10.0.0.5", "192.168.0.0/16"],
  userHeader: "x-auth-request-user",
  emailHeader: "x-auth-request-email",
  nameHeader: "x-auth-request-preferred-username",
  groupsHeader: "x-auth-request-groups",
  tokens: [parseTokenEntry(`robot:${hashToken("robot-token-0123456789")}:deployers+ops`, 0)],
  ...over,
});
const proxyHeaders = { "x-auth-request-user": "alice", "x-auth-request-email": "alice@example.com", "x-auth-request-groups": "sre, approvers" };

describe("identify", () => {
  it.each([
    ["a trusted proxy's headers", proxyHeaders, "10.0.0.5", { kind: "user", via: "proxy", id: "alice", email: "alice@example.com", groups: ["sre", "approvers"] }],
    ["a proxy inside a trusted CIDR (IPv4-mapped)", proxyHeaders, "::ffff:192.168.3.4", { kind: "user", via: "proxy", id: "alice" }],
    ["the same headers from anyone else", proxyHeaders, "10.0.0.6", { kind: "anonymous" }],
    ["a trusted proxy without a user header", {}, "10.0.0.5", { kind: "anonymous" }],
    ["a known bearer token", { authorization: "Bearer robot-token-0123456789" }, "1.2.3.4", { kind: "user", via: "token", id: "robot", groups: ["deployers", "ops"] }],
    ["an unknown bearer token, even from the proxy with headers", { ...proxyHeaders, authorization: "Bearer nope" }, "10.0.0.5", { kind: "anonymous" }],
  ] as const)("%s", (_what, headers, peer, want) => {
    expect(identify(headers, peer, settings())).toMatchObject(want);
  });

  it("rejects malformed token entries without echoing the hash", () => {
    expect(() => parseTokenEntry("robot:abc", 2)).toThrow(/item 3 \(user "robot"\)/);
  });

  it("matches trusted peers by exact address or IPv4 CIDR only", () => {
    expect(isTrustedPeer("127.0.0.1", ["127.0.0.1"])).toBe(true);
    expect(isTrustedPeer("10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(isTrustedPeer("11.1.2.3", ["10.0.0.0/8"])).toBe(false);
    expect(isTrustedPeer(undefined, ["10.0.0.0/8"])).toBe(false);
    expect(isTrustedPeer("::1", [])).toBe(false);
  });
});

describe("csrf", () => {
  const alice: User = { kind: "user", via: "proxy", id: "alice", groups: [] };
  it("accepts the user's own token only", () => {
    const t = csrfToken("secret-0123456789abcdef", alice);
    expect(csrfMatches("secret-0123456789abcdef", alice, t)).toBe(true);
    expect(csrfMatches("secret-0123456789abcdef", { ...alice, id: "bob" }, t)).toBe(false);
    expect(csrfMatches("another-secret-0123456789", alice, t)).toBe(false);
    expect(csrfMatches("secret-0123456789abcdef", alice, undefined)).toBe(false);
  });
});

describe("authorize", () => {
  const approvers = { users: ["U0ONCALL1", "alice@example.com"], groups: ["release-approvers"] };
  const user = (over: Partial<User>): User => ({ kind: "user", via: "proxy", id: "x", groups: [], ...over });
  it.each([
    ["an approver by e-mail", user({ id: "alice", email: "alice@example.com" }), "approve", [], true],
    ["an approver by group", user({ id: "bob", groups: ["release-approvers"] }), "reject", [], true],
    ["someone else", user({ id: "mallory" }), "approve", [], false],
    ["an operator may pause", user({ id: "ops1", groups: ["sre"] }), "pause", ["group:sre"], true],
    ["an operator may not approve", user({ id: "ops1", groups: ["sre"] }), "approve", ["group:sre"], false],
    ["an operator by id may abort", user({ id: "ops2" }), "abort", ["ops2"], true],
  ] as const)("%s", (_what, u, action, operators, allowed) => {
    expect(authorize(u, action, approvers, operators).allowed).toBe(allowed);
  });

  it("says why, naming the approvers", () => {
    expect(authorize(user({ id: "mallory" }), "approve", approvers, [])).toEqual({
      allowed: false,
      reason: "mallory may not approve this release: you are not an approver; ask U0ONCALL1, alice@example.com, group:release-approvers",
    });
    expect(authorize(user({ id: "mallory" }), "approve", { users: [], groups: [] }, []).allowed).toBe(false);
  });
});
