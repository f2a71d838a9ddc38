/**
 * Who is asking, and may they act. Pure.
 *
 * Identity comes from one of two places, never from a request body:
 * - the OIDC proxy's headers (oauth2-proxy `X-Auth-Request-*`), believed only when the TCP peer is
 *   one of the configured proxy addresses: anyone else could write those headers;
 * - a static bearer token, compared by its SHA-256 with the configured hashes (the tokens themselves
 *   are never stored).
 * Everything else is anonymous: it may read only when anonymous reading is enabled, and never act.
 *
 * Actions from a browser carry a CSRF token (an HMAC of the user's id) in a header; a cross-site page
 * can neither read it (no CORS) nor set a custom header without a pre-flight. Bearer-token callers
 * need none: a bearer token is not sent by a browser on its own.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { checkApprover, type Approvers } from "../../schemas/approval-policy.js";
import type { ControlAction } from "../../schemas/control.js";

/** An authenticated person (or automation), or nobody. */
export type Identity =
  | { kind: "anonymous" }
  | {
      kind: "user";
      /** How they were authenticated. */
      via: "proxy" | "token";
      /** Stable id: the proxy's user, or the token's user. */
      id: string;
      name?: string;
      email?: string;
      groups: string[];
    };
export type User = Extract<Identity, { kind: "user" }>;

/** One configured token: the user it stands for and the SHA-256 of its secret. */
export interface TokenEntry {
  user: string;
  sha256: Buffer;
  groups: string[];
}

/** What {@link identify} needs to know. */
export interface AuthSettings {
  trustedProxies: readonly string[];
  userHeader: string;
  emailHeader: string;
  nameHeader: string;
  groupsHeader: string;
  tokens: readonly TokenEntry[];
}

/** Parse `<user>:<sha256 hex>[:<group>+<group>…]`; throws naming the entry (not its hash) when malformed. */
export function parseTokenEntry(s: string, index: number): TokenEntry {
  const [user = "", hex = "", groups = ""] = s.split(":");
  if (user === "" || !/^[0-9a-f]{64}$/i.test(hex)) {
    throw new Error(`SISKIN_AUTH_TOKENS item ${index + 1} (user "${user}") is not <user>:<sha256 hex of the token>[:<group>+<group>]`);
  }
  return { user, sha256: Buffer.from(hex, "hex"), groups: groups.split("+").filter((g) => g !== "") };
}

/** The SHA-256 hex of a token, as {@link parseTokenEntry} expects it. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

/** Strip the IPv4-mapped IPv6 prefix node reports for IPv4 peers on a dual-stack socket. */
function plainIp(ip: string): string {
  return ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** Is `peer` one of `trusted` (exact IPs, or IPv4 CIDRs such as `10.0.0.0/8`)? */
export function isTrustedPeer(peer: string | undefined, trusted: readonly string[]): boolean {
  if (peer === undefined || peer === "") return false;
  const ip = plainIp(peer);
  for (const t of trusted) {
    const [net = "", bits] = t.split("/");
    if (bits === undefined) {
      if (plainIp(net) === ip) return true;
      continue;
    }
    if (isIP(net) !== 4 || isIP(ip) !== 4) continue;
    const n = Number(bits);
    if (!Number.isInteger(n) || n < 0 || n > 32) continue;
    const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
    if ((ipv4ToInt(net) & mask) === (ipv4ToInt(ip) & mask)) return true;
  }
  return false;
}

type Headers = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string | undefined => {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === "" ? undefined : s.trim();
};

/** Who sent a request with these headers from this peer address. */
export function identify(headers: Headers, peer: string | undefined, s: AuthSettings): Identity {
  const bearer = /^Bearer\s+(\S+)$/i.exec(one(headers.authorization) ?? "");
  if (bearer !== null) {
    const digest = createHash("sha256").update(bearer[1] as string).digest();
    // Compare against every entry so the time taken does not say which one matched.
    let found: TokenEntry | undefined;
    for (const t of s.tokens) if (timingSafeEqual(digest, t.sha256) && found === undefined) found = t;
    return found === undefined ? { kind: "anonymous" } : { kind: "user", via: "token", id: found.user, groups: [...found.groups] };
  }
  if (isTrustedPeer(peer, s.trustedProxies)) {
    const id = one(headers[s.userHeader]);
    if (id !== undefined) {
      const email = one(headers[s.emailHeader]);
      const name = one(headers[s.nameHeader]);
      const groups = (one(headers[s.groupsHeader]) ?? "").split(",").map((g) => g.trim()).filter((g) => g !== "");
      return { kind: "user", via: "proxy", id: id.slice(0, 200), ...(name === undefined ? {} : { name: name.slice(0, 200) }), ...(email === undefined ? {} : { email }), groups };
    }
  }
  return { kind: "anonymous" };
}

/** A label for the page and the logs: `alice (proxy)`. */
export function identityLabel(i: Identity): string {
  return i.kind === "anonymous" ? "anonymous" : `${i.name ?? i.id} (${i.via})`;
}

/** The CSRF token of a user: an HMAC of their id, so it needs no server-side session. */
export function csrfToken(secret: string, user: User): string {
  return createHmac("sha256", secret).update(`csrf:${user.via}:${user.id}`).digest("base64url");
}

/** Does `presented` match the user's CSRF token? */
export function csrfMatches(secret: string, user: User, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const want = Buffer.from(csrfToken(secret, user));
  const got = Buffer.from(presented);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Whether a user may take an action on a release, and if not, why. */
export type Authorization = { allowed: true; via: string } | { allowed: false; reason: string };

/**
 * May `user` take `action` on a release whose rollout names `approvers`? The rollout's approvers may
 * take every action, matched by user id or e-mail and by group, with the same rule as Slack
 * (schemas/approval-policy.ts). Operators (`operators`: user ids or `group:<name>`) may also pause,
 * resume, abort and promote, but approving and rejecting belong to the approvers alone.
 */
export function authorize(user: User, action: ControlAction, approvers: Approvers, operators: readonly string[]): Authorization {
  const members = new Map(user.groups.map((g) => [g, [user.id]] as const));
  const ids = [user.id, ...(user.email === undefined ? [] : [user.email])];
  let refusal = "";
  for (const id of ids) {
    const c = checkApprover(id, approvers, members);
    if (c.allowed) return { allowed: true, via: `approver (${c.via})` };
    refusal = c.reason;
  }
  if (action !== "approve" && action !== "reject") {
    const op = operators.find((o) => ids.includes(o) || (o.startsWith("group:") && user.groups.includes(o.slice(6))));
    if (op !== undefined) return { allowed: true, via: `operator (${op})` };
  }
  return { allowed: false, reason: `${user.id} may not ${action} this release: ${refusal}` };
}
