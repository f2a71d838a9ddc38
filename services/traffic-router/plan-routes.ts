// Pure planning of the mirror and matched routes of a step, on top of the weights (plan.ts).
//
// - Mirror step: `mirror` (the canary destination) and `mirrorPercentage` on each managed http route.
//   A mirror already there that is not the canary's (or a `mirrors` list) is an error: it is the
//   user's, and Istio would send a copy to both.
// - Matched step: before each managed http route, a route named `siskin-canary[-<route>]` whose match
//   is the route's own match ANDed with the step's conditions, sending everything to the canary. It
//   keeps the managed route's other fields (rewrite, timeout, retries, headers, …), so a matched
//   request is treated as the stable would treat it, only answered by the canary.
// - Any other step (weights, rollback): Siskin's mirror and matched routes are removed.
// tls and tcp routes cannot mirror or match headers: they only get the weights (0 at these steps).
import type { HeaderValueMatch, RouteMatch } from "../../schemas/rollout.js";
import { pointer, type JsonPatchOp } from "./json-patch.js";
import { fail, PlanErrorCode, type PlanResult } from "./plan-errors.js";
import { isSiskinRoute, SISKIN_ROUTE_PREFIX, type ManagedRoute, type Split } from "./route-select.js";
import { shortHost, type Destination, type HttpRoute, type VirtualService } from "./vs-types.js";

/** What a step asks for besides the weights. */
export interface RouteExtras {
  /** Copy this percent of each managed http route's requests to the canary. */
  mirror?: { percentage: number };
  /** Send requests matching any of these to the canary, through a route ahead of each managed http route. */
  match?: RouteMatch[];
}

/** The Siskin route inserted ahead of a managed http route (by its name, if any). */
export function siskinRouteName(managedName: string | undefined): string {
  return managedName === undefined || managedName === "" ? SISKIN_ROUTE_PREFIX : `${SISKIN_ROUTE_PREFIX}-${managedName}`;
}

/** The canary's destination for a managed route: the canary subset of the stable host, or the canary host. */
export function canaryDestination(r: ManagedRoute, split: Split): Destination {
  const stableHost = r.destinations[r.stableIndex]?.destination.host ?? "";
  switch (split.by) {
    case "subset":
      return { host: stableHost, subset: split.canarySubset };
    case "host": {
      const listed = r.canaryIndex >= 0 ? r.destinations[r.canaryIndex]?.destination.host : undefined;
      return { host: listed ?? split.canaryHost };
    }
    default: {
      const never: never = split;
      throw new Error(`unknown split ${JSON.stringify(never)}`);
    }
  }
}

function sameDestination(a: unknown, b: Destination): boolean {
  if (typeof a !== "object" || a === null) return false;
  const d = a as Destination;
  return typeof d.host === "string" && shortHost(d.host) === shortHost(b.host) && d.subset === b.subset;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A cookie condition as Istio can say it: a regex on the `cookie` header (`a=1; beta=true; b=2`). */
export function cookieHeaderMatch(name: string, value: string): HeaderValueMatch {
  return { regex: `^(.*?; ?)?(${escapeRegex(name)}=${escapeRegex(value)})(;.*)?$` };
}

/** The step's conditions as Istio headers maps (one per entry; entries are ORed). */
function conditionHeaders(match: readonly RouteMatch[]): Array<Record<string, HeaderValueMatch>> {
  return match.map((m) => (m.cookie !== undefined ? { cookie: cookieHeaderMatch(m.cookie.name, m.cookie.value) } : { ...(m.headers ?? {}) }));
}

type Built = PlanResult<{ route: HttpRoute }>;

/** The matched route for one managed route, or an error when a condition contradicts the route's own match. */
function buildMatchedRoute(raw: HttpRoute, r: ManagedRoute, dest: Destination, match: readonly RouteMatch[], vsRef: string): Built {
  const own = Array.isArray(raw.match) && raw.match.length > 0 ? raw.match : [{}];
  const merged: Array<Record<string, unknown>> = [];
  for (const base of own) {
    const baseHeaders = (typeof base.headers === "object" && base.headers !== null ? base.headers : {}) as Record<string, unknown>;
    for (const cond of conditionHeaders(match)) {
      const clash = Object.keys(cond).find((h) => Object.hasOwn(baseHeaders, h));
      if (clash !== undefined) {
        return fail(PlanErrorCode.matchConflict, vsRef, `${r.ref} of ${vsRef} already matches on header "${clash}", which the matched step also sets; Istio cannot AND two conditions on one header — match on another header, or split the route`, r.ref);
      }
      merged.push({ ...base, headers: { ...baseHeaders, ...cond } });
    }
  }
  const route: HttpRoute = { name: siskinRouteName(r.name) };
  route.match = merged;
  route.route = [{ destination: dest, weight: 100 }];
  for (const [k, v] of Object.entries(raw)) {
    if (["name", "match", "route", "mirror", "mirrors", "mirrorPercentage", "mirror_percent"].includes(k)) continue;
    route[k] = structuredClone(v);
  }
  return { ok: true, route };
}

/** Result of {@link planRouteExtras}: the new http list and ops grouped by the original index they touch. */
export interface ExtrasPlan {
  http: HttpRoute[];
  /** Guarded ops on `/spec/http/<i>` (mirror writes, removals) keyed by the original index i: they go before i's weight ops. */
  opsAt: Map<number, JsonPatchOp[]>;
  /** Insertions ahead of original index i: they go after i's weight ops (they shift i). */
  insertAt: Map<number, JsonPatchOp[]>;
}

function push(opsAt: Map<number, JsonPatchOp[]>, i: number, ...ops: JsonPatchOp[]): void {
  const list = opsAt.get(i) ?? [];
  list.push(...ops);
  opsAt.set(i, list);
}

/**
 * Plans mirrors and matched routes for the managed http routes of `vs` (already selected), given the
 * step's extras. `http` is the VirtualService's http list after the weights were planned (same
 * indexes as the input); it is not modified.
 */
export function planRouteExtras(vs: VirtualService, http: readonly HttpRoute[], managed: readonly ManagedRoute[], split: Split, extras: RouteExtras, vsRef: string): PlanResult<ExtrasPlan> {
  const opsAt = new Map<number, JsonPatchOp[]>();
  const insertAt = new Map<number, JsonPatchOp[]>();
  const out = http.map((r) => structuredClone(r));
  const managedHttp = managed.filter((r) => r.kind === "http");
  if ((extras.mirror !== undefined || extras.match !== undefined) && managedHttp.length === 0) {
    return fail(PlanErrorCode.routeNotFound, vsRef, `a ${extras.mirror !== undefined ? "mirror" : "matched"} step needs an http route, but ${vsRef} manages only tls/tcp routes; Istio mirrors and matches headers on http routes only — use weight steps`);
  }
  // Mirrors, on the managed routes themselves.
  for (const r of managedHttp) {
    const raw = (vs.spec.http ?? [])[r.index] as HttpRoute;
    const at = pointer("spec", "http", r.index);
    const dest = canaryDestination(r, split);
    const has = raw.mirror !== undefined;
    const ours = has && sameDestination(raw.mirror, dest);
    const mirrors = Array.isArray(raw.mirrors) && raw.mirrors.length > 0;
    const copy = out[r.index] as HttpRoute;
    if (extras.mirror !== undefined) {
      if ((has && !ours) || mirrors) {
        const where = mirrors ? `a \`mirrors\` list (${(raw.mirrors as unknown[]).length} destinations)` : `a mirror to ${JSON.stringify(raw.mirror)}`;
        return fail(PlanErrorCode.mirrorConflict, vsRef, `${r.ref} of ${vsRef} already has ${where}; Siskin does not overwrite a mirror it did not set — remove it (or move it to its own route) before a mirror step, or drop the mirror step`, r.ref);
      }
      const pct = { value: extras.mirror.percentage };
      if (!ours) {
        push(opsAt, r.index, { op: "test", path: at, value: raw }, { op: "add", path: `${at}/mirror`, value: dest }, { op: "add", path: `${at}/mirrorPercentage`, value: pct });
      } else if (JSON.stringify(raw.mirrorPercentage) !== JSON.stringify(pct)) {
        const guard: JsonPatchOp[] = [{ op: "test", path: `${at}/mirror`, value: raw.mirror }];
        if (raw.mirrorPercentage !== undefined) guard.push({ op: "test", path: `${at}/mirrorPercentage`, value: raw.mirrorPercentage });
        push(opsAt, r.index, ...guard, { op: raw.mirrorPercentage === undefined ? "add" : "replace", path: `${at}/mirrorPercentage`, value: pct });
      }
      copy.mirror = dest;
      copy.mirrorPercentage = pct;
    } else if (ours) {
      push(opsAt, r.index, { op: "test", path: `${at}/mirror`, value: raw.mirror }, { op: "remove", path: `${at}/mirror` });
      delete copy.mirror;
      if (raw.mirrorPercentage !== undefined) {
        push(opsAt, r.index, { op: "test", path: `${at}/mirrorPercentage`, value: raw.mirrorPercentage }, { op: "remove", path: `${at}/mirrorPercentage` });
        delete copy.mirrorPercentage;
      }
    }
  }
  // Matched routes: wanted ones ahead of their managed route; stale Siskin routes removed.
  const wanted = new Map<string, { route: HttpRoute; before: number }>();
  if (extras.match !== undefined) {
    for (const r of managedHttp) {
      const raw = (vs.spec.http ?? [])[r.index] as HttpRoute;
      const built = buildMatchedRoute(raw, r, canaryDestination(r, split), extras.match, vsRef);
      if (!built.ok) return built;
      wanted.set(built.route.name ?? "", { route: built.route, before: r.index });
    }
  }
  const existing = new Map<string, number>();
  http.forEach((route, i) => {
    if (!isSiskinRoute(route)) return;
    const name = route.name ?? "";
    const want = wanted.get(name);
    // Kept in place only when it is exactly what we want, and right ahead of its managed route.
    if (want !== undefined && !existing.has(name) && JSON.stringify(route) === JSON.stringify(want.route) && i === want.before - 1) {
      existing.set(name, i);
      return;
    }
    push(opsAt, i, { op: "test", path: pointer("spec", "http", i), value: route }, { op: "remove", path: pointer("spec", "http", i) });
  });
  const inserts = new Map<number, HttpRoute[]>();
  for (const [name, w] of wanted) {
    if (existing.has(name)) continue;
    push(insertAt, w.before, { op: "add", path: pointer("spec", "http", w.before), value: w.route });
    inserts.set(w.before, [...(inserts.get(w.before) ?? []), w.route]);
  }
  const removed = new Set(http.flatMap((route, i) => (isSiskinRoute(route) && existing.get(route.name ?? "") !== i ? [i] : [])));
  const next: HttpRoute[] = [];
  out.forEach((route, i) => {
    next.push(...(inserts.get(i) ?? []).map((x) => structuredClone(x)));
    if (!removed.has(i)) next.push(route);
  });
  return { ok: true, http: next, opsAt, insertAt };
}
