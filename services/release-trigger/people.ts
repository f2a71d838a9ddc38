// Who a release API caller is: a per-person token maps to a user and groups; the shared token is
// nobody in particular. Tokens are kept as SHA-256 digests only. Pure.
import { createHash, timingSafeEqual } from "node:crypto";

/** A person a token speaks for. `user` is the id approver lists name (a Slack user id, `U…`). */
export interface Person {
  user: string;
  name?: string;
  groups: string[];
}

/** An authenticated caller: a person (per-person token) or the shared token (may not approve). */
export type ApiIdentity = { kind: "person"; person: Person } | { kind: "shared" };

/** Per-person tokens as configured: SHA-256 hex digest of the token → the person. */
export type PeopleByTokenDigest = Readonly<Record<string, { user: string; name?: string; groups?: readonly string[] }>>;

/** SHA-256 hex of a token: how tokens are stored (`printf %s "$TOKEN" | sha256sum`). */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * The authenticator of `Authorization: Bearer <token>`: the shared token compared in constant time
 * (both sides hashed first, which also hides its length), per-person tokens looked up by digest.
 * A token is a random secret, so its unsalted digest reveals nothing a guess could use.
 */
export function createTokenBook(shared: string, people: PeopleByTokenDigest = {}) {
  const sharedDigest = createHash("sha256").update(shared, "utf8").digest();
  const byDigest = new Map(Object.entries(people).map(([d, p]) => [d.toLowerCase(), p]));
  return {
    /** The caller, or null when the header carries no known token. */
    authenticate(header: string | undefined): ApiIdentity | null {
      const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
      if (m === null || shared === "") return null;
      const presented = m[1] as string;
      const p = byDigest.get(tokenDigest(presented));
      if (p !== undefined) return { kind: "person", person: { user: p.user, ...(p.name === undefined ? {} : { name: p.name }), groups: [...(p.groups ?? [])] } };
      return timingSafeEqual(createHash("sha256").update(presented, "utf8").digest(), sharedDigest) ? { kind: "shared" } : null;
    },
  };
}

/** The authenticator built by {@link createTokenBook}. */
export type TokenBook = ReturnType<typeof createTokenBook>;
