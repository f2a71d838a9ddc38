/** Finding releases in the orchestrator's KV entries by id or by rollout, with errors that say how to list them. */
import { Bucket } from "../../../schemas/subjects.js";
import { CliError, usageError } from "./errors.js";
import type { ReleaseStore } from "./ports.js";
import { releaseViewOf, sortReleases, type ReleaseView } from "../../runtime/release-view.js";

const ROLLOUT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const RELEASE = /^[a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9.]*\/[A-Za-z0-9][-A-Za-z0-9._+]*$/;

/** What a release argument names: one release, or the releases of a rollout. */
export type ReleaseRef = { kind: "release"; releaseId: string } | { kind: "rollout"; rollout: string };

/** Parse `<ns>/<rollout>/<version>` or `<ns>/<rollout>`; anything else is a usage error. */
export function parseReleaseRef(arg: string, allowRollout: boolean): ReleaseRef {
  if (RELEASE.test(arg)) return { kind: "release", releaseId: arg };
  if (allowRollout && ROLLOUT.test(arg)) return { kind: "rollout", rollout: arg };
  const want = allowRollout ? "<namespace>/<rollout>/<version> or <namespace>/<rollout>" : "<namespace>/<rollout>/<version>";
  throw usageError(`"${arg}" is not a release id: give ${want}, e.g. shop/ratings/v1.1.0 (list them with: siskin status)`);
}

/** Every release the orchestrator stores, as views (entries that are not objects are skipped). */
export async function loadViews(store: ReleaseStore): Promise<ReleaseView[]> {
  const entries = await store.list();
  return sortReleases(entries.map((e) => releaseViewOf(e.key, e.value)).filter((v): v is ReleaseView => v !== null));
}

/** The error for a release that is not in the KV bucket. */
export function unknownRelease(releaseId: string): CliError {
  return new CliError(`release ${releaseId} not found in KV bucket ${Bucket.releases}; list the releases with: siskin status`);
}

/** One release by id; throws naming the release and `siskin status` when it does not exist. */
export async function loadRelease(store: ReleaseStore, releaseId: string): Promise<ReleaseView> {
  const value = await store.get(releaseId);
  const view = value === null || value === undefined ? null : releaseViewOf(releaseId, value);
  if (view === null) throw unknownRelease(releaseId);
  return view;
}

/**
 * The release an argument names: the id itself, or for a rollout its live release (else its most
 * recent one). Throws when the rollout has no release.
 */
export async function resolveRelease(store: ReleaseStore, ref: ReleaseRef): Promise<{ view: ReleaseView; others: ReleaseView[] }> {
  if (ref.kind === "release") return { view: await loadRelease(store, ref.releaseId), others: [] };
  const mine = (await loadViews(store)).filter((v) => v.rollout === ref.rollout);
  const [first, ...others] = mine;
  if (first === undefined) throw new CliError(`rollout ${ref.rollout} has no release in KV bucket ${Bucket.releases}; list the releases with: siskin status`);
  return { view: first, others };
}
