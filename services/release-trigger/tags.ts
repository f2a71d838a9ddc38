// Pure tag logic: which pushes are new tags, whether a tag matches a rollout's glob, and which
// version label a tag becomes. No I/O.
export { globToRegExp, tagMatches } from "../../schemas/tag-glob.js";

/** The default `spec.source.tagPattern`. */
export const defaultTagPattern = "v*";

/** What a GitHub `push` delivery is, as far as releases care. */
export type PushKind =
  | { kind: "tagCreated"; tag: string }
  | { kind: "ignored"; reason: string };

/** The fields of a `push` payload this service reads (GitHub docs, "push" event). */
export interface PushFields {
  ref?: unknown;
  created?: unknown;
  deleted?: unknown;
}

/**
 * Classify a `push`: only a new tag (`refs/tags/…`, `created: true`, `deleted: false`) asks for a
 * release. Branch pushes, tag deletions and moved (force-pushed) tags are ignored with a reason.
 */
export function classifyPush(p: PushFields): PushKind {
  if (typeof p.ref !== "string") return { kind: "ignored", reason: "push has no ref" };
  if (!p.ref.startsWith("refs/tags/")) return { kind: "ignored", reason: `push to ${p.ref} is not a tag` };
  const tag = p.ref.slice("refs/tags/".length);
  if (tag === "") return { kind: "ignored", reason: "push names an empty tag" };
  if (p.deleted === true) return { kind: "ignored", reason: `tag ${tag} was deleted` };
  if (p.created !== true) return { kind: "ignored", reason: `tag ${tag} was moved, not created` };
  return { kind: "tagCreated", tag };
}

/** Longest Kubernetes label value. */
const maxVersionLength = 63;

/**
 * The version label of a tag: the tag itself when it is a valid Kubernetes label value
 * (`v2.3.0`), else characters outside `[A-Za-z0-9._-]` become `-`, the ends are trimmed to
 * alphanumerics and the result is cut to 63 characters. `undefined` when nothing is left.
 * Different tags can map to the same version (`v1+a`, `v1-a`); the release id follows the version.
 */
export function versionFromTag(tag: string): string | undefined {
  const trim = (s: string) => s.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
  const v = trim(trim(tag.replace(/[^A-Za-z0-9._-]/g, "-")).slice(0, maxVersionLength));
  return v === "" ? undefined : v;
}

/** A commit SHA as the schema accepts it (7–64 lowercase hex), or undefined. */
export function commitSha(...candidates: unknown[]): string | undefined {
  for (const c of candidates) {
    if (typeof c === "string" && /^[0-9a-f]{7,64}$/.test(c) && !/^0+$/.test(c)) return c;
  }
  return undefined;
}
