// Pure: remove the destinations and subsets of versions beyond a rollout's revisionHistoryLimit.
// Only versions the router added itself (annotation `siskin.dev/added-versions`, oldest first) are
// candidates, and of those only the ones added before the newest kept version (a later one is a newer
// release's canary, in flight); `keep` and the newest others up to `limit` stay; a candidate that still has weight on
// any route is reported and left alone, subset included. A destination goes only from a route that
// keeps another one, so every route still sums to 100.
import { SiskinAnnotation } from "../../schemas/rollout-index.js";
import type { DestinationRule, RouteDestination, VirtualService } from "./vs-types.js";

/** The objects after the prune, and what went. */
export interface TrafficPrunePlan {
  vs: VirtualService;
  dr: DestinationRule;
  vsChanged: boolean;
  drChanged: boolean;
  removed: string[];
  destinations: string[];
  subsets: string[];
  withTraffic: string[];
}

/** The versions an object's annotation says the router added, oldest first. */
export function addedVersions(obj: { metadata?: Record<string, unknown> } | undefined): string[] {
  const raw = (obj?.metadata?.annotations as Record<string, string> | undefined)?.[SiskinAnnotation.addedVersions] ?? "";
  return raw.split(",").map((v) => v.trim()).filter((v) => v !== "");
}

/** `obj` with `version` appended to its added-versions annotation (unchanged when already there). */
export function withAddedVersion<T extends { metadata?: Record<string, unknown> }>(obj: T, version: string): T {
  const list = addedVersions(obj);
  if (list.includes(version)) return obj;
  const annotations = { ...((obj.metadata?.annotations as Record<string, string> | undefined) ?? {}), [SiskinAnnotation.addedVersions]: [...list, version].join(",") };
  return { ...obj, metadata: { ...obj.metadata, annotations } };
}

function setAdded<T extends { metadata?: Record<string, unknown> }>(obj: T, list: string[]): T {
  const annotations = { ...((obj.metadata?.annotations as Record<string, string> | undefined) ?? {}) };
  if (list.length > 0) annotations[SiskinAnnotation.addedVersions] = list.join(",");
  else delete annotations[SiskinAnnotation.addedVersions];
  return { ...obj, metadata: { ...obj.metadata, annotations } };
}

const weightOf = (d: RouteDestination, all: RouteDestination[]) => d.weight ?? (all.length === 1 ? 100 : 0);

/** Plan the prune of `vs` and `dr` to `limit` versions, `keep` first. */
export function planTrafficPrune(vs: VirtualService, dr: DestinationRule, keep: readonly string[], limit: number): TrafficPrunePlan {
  const added = [...new Set([...addedVersions(dr), ...addedVersions(vs)])];
  // Versions added after the newest kept one belong to a later release (its canary): never touched.
  const boundary = Math.max(...keep.map((v) => added.indexOf(v)));
  const older = boundary < 0 ? [] : added.slice(0, boundary).filter((v) => !keep.includes(v));
  const kept = new Set([...keep, ...[...older].reverse().slice(0, Math.max(0, limit - keep.length))]);
  const candidates = older.filter((v) => !kept.has(v));
  const routeLists = (["http", "tls", "tcp"] as const).flatMap((kind) => (vs.spec[kind] ?? []).map((r, index) => ({ kind, index, route: r.route ?? [] })));
  const withTraffic = candidates.filter((v) => routeLists.some(({ route }) => route.some((d) => d.destination?.subset === v && weightOf(d, route) > 0)));
  const removed = candidates.filter((v) => !withTraffic.includes(v));
  const next = structuredClone(vs);
  const destinations: string[] = [];
  for (const kind of ["http", "tls", "tcp"] as const) {
    (next.spec[kind] ?? []).forEach((r, index) => {
      const route = r.route ?? [];
      const left = route.filter((d) => !removed.includes(d.destination?.subset ?? ""));
      if (left.length === route.length || left.length === 0) return;
      for (const d of route) if (!left.includes(d)) destinations.push(`${kind}[${index}] → ${d.destination.subset ?? ""}`);
      r.route = left;
    });
  }
  const subsets = (dr.spec.subsets ?? []).filter((s) => removed.includes(s.name)).map((s) => s.name);
  const nextDr = structuredClone(dr);
  if (subsets.length > 0) nextDr.spec.subsets = (dr.spec.subsets ?? []).filter((s) => !removed.includes(s.name));
  const keepListed = (obj: { metadata?: Record<string, unknown> }) => addedVersions(obj).filter((v) => !removed.includes(v));
  const vsChanged = destinations.length > 0 || keepListed(vs).length !== addedVersions(vs).length;
  const drChanged = subsets.length > 0 || keepListed(dr).length !== addedVersions(dr).length;
  return {
    vs: vsChanged ? setAdded(next, keepListed(vs)) : vs,
    dr: drChanged ? setAdded(nextDr, keepListed(dr)) : dr,
    vsChanged,
    drChanged,
    removed,
    destinations,
    subsets,
    withTraffic,
  };
}
