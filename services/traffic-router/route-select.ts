// Which routes of a VirtualService Siskin manages, and which of their destinations are stable and
// canary. Mirrors Argo Rollouts' selection (rollout/trafficrouting/istio/istio.go): http routes by
// name, tls routes by port + exact SNI set, tcp routes by port; but where Argo deletes unknown
// destinations, we refuse, because the VirtualService is the user's.
import { fail, PlanErrorCode, type PlanResult } from "./plan-errors.js";
import {
  implicitWeight,
  objectRef,
  RouteKind,
  shortHost,
  type RouteDestination,
  type VirtualService,
} from "./vs-types.js";

/** How traffic is split: two subsets of one host (DestinationRule), or two hosts (Services). */
export type Split =
  | {
      by: "subset";
      /** Only destinations of this host count; inferred per route from the canary subset when omitted. */
      host?: string;
      stableSubset: string;
      canarySubset: string;
    }
  | { by: "host"; stableHost: string; canaryHost: string };

/** Selects `spec.tls[]` routes: `port` (absent = the match blocks name no port) and the exact set of SNI hosts. */
export interface TlsRouteSelector {
  port?: number;
  sniHosts: string[];
}

/** Selects `spec.tcp[]` routes whose match blocks name exactly this one port. */
export interface TcpRouteSelector {
  port: number;
}

/** What to manage in a VirtualService. With no selector at all, its single http route. */
export interface RouteSelection {
  split: Split;
  /** Names of `spec.http[]` routes. Omitted: the VirtualService must have exactly one http route (unless tls/tcp selectors are given). */
  httpRoutes?: string[];
  tlsRoutes?: TlsRouteSelector[];
  tcpRoutes?: TcpRouteSelector[];
}

/** A route Siskin manages, with the positions of its stable and canary destinations. */
export interface ManagedRoute {
  kind: RouteKind;
  index: number;
  name?: string;
  /** Human reference: `http route "primary" (spec.http[0])` or `spec.tcp[1]`. */
  ref: string;
  /** The route's `route[]` list, as in the input. */
  destinations: RouteDestination[];
  stableIndex: number;
  /** -1 when the canary is a new subset the route does not list yet (see `addCanary`). */
  canaryIndex: number;
  /**
   * Subset split only: the canary's destination to append (beside the stable one, same host) because
   * the route does not list it yet — each release brings a new version subset.
   */
  addCanary?: { host: string; subset: string };
}

type RouteLike = { name?: unknown; match?: unknown; route?: unknown };

/**
 * Name prefix of the http routes Siskin inserts for matched steps (`siskin-canary-<route>`). Routes so
 * named are Siskin's: never managed as user routes, removed at the end of a matched step or on rollback.
 */
export const SISKIN_ROUTE_PREFIX = "siskin-canary";

/** True for a route Siskin inserted (its name is `siskin-canary` or starts with `siskin-canary-`). */
export function isSiskinRoute(route: { name?: unknown }): boolean {
  return typeof route.name === "string" && (route.name === SISKIN_ROUTE_PREFIX || route.name.startsWith(`${SISKIN_ROUTE_PREFIX}-`));
}

function routeRef(kind: RouteKind, index: number, name: unknown): string {
  const path = `spec.${kind}[${index}]`;
  return typeof name === "string" && name !== "" ? `${kind} route "${name}" (${path})` : path;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPort(p: unknown): p is number {
  return typeof p === "number" && Number.isInteger(p) && p >= 1 && p <= 65535;
}

/** Distinct `port` values of a route's match blocks; a block without port counts as port 0, as in Argo. */
function matchPorts(route: RouteLike): Set<number> {
  const ports = new Set<number>();
  for (const m of Array.isArray(route.match) ? route.match : []) {
    ports.add(isRecord(m) && typeof m.port === "number" ? m.port : 0);
  }
  return ports;
}

function sniSet(route: RouteLike): Set<string> {
  const hosts = new Set<string>();
  for (const m of Array.isArray(route.match) ? route.match : []) {
    if (isRecord(m) && Array.isArray(m.sniHosts)) for (const h of m.sniHosts) if (typeof h === "string") hosts.add(h);
  }
  return hosts;
}

function samePort(ports: Set<number>, want: number): boolean {
  // Match blocks with more than one distinct port never match (Argo: "this rule is never gonna match").
  return ports.size <= 1 && ([...ports][0] ?? 0) === want;
}

function describeSplit(split: Split): { stable: string; canary: string } {
  switch (split.by) {
    case "subset": {
      const h = split.host ?? "<host>";
      return { stable: `{host: ${h}, subset: ${split.stableSubset}}`, canary: `{host: ${h}, subset: ${split.canarySubset}}` };
    }
    case "host":
      return { stable: `{host: ${split.stableHost}}`, canary: `{host: ${split.canaryHost}}` };
    default: {
      const never: never = split;
      throw new Error(`unknown split ${JSON.stringify(never)}`);
    }
  }
}

function validateSplit(split: Split, vsRef: string): PlanResult<object> {
  const bad = (why: string) => fail(PlanErrorCode.invalidSplit, vsRef, `cannot split traffic of ${vsRef}: ${why}`);
  switch (split.by) {
    case "subset":
      if (!split.stableSubset || !split.canarySubset) return bad("the stable and the canary subset names must be non-empty");
      if (split.stableSubset === split.canarySubset) {
        return bad(`stable and canary are both subset "${split.stableSubset}"; give the canary its own subset`);
      }
      if (split.host !== undefined && split.host === "") return bad("host must be non-empty when given");
      return { ok: true };
    case "host":
      if (!split.stableHost || !split.canaryHost) return bad("the stable and the canary host names must be non-empty");
      if (shortHost(split.stableHost) === shortHost(split.canaryHost)) {
        return bad(`stable host "${split.stableHost}" and canary host "${split.canaryHost}" are the same service; use --by subset for one host`);
      }
      return { ok: true };
    default: {
      const never: never = split;
      return bad(`unknown split ${JSON.stringify(never)}`);
    }
  }
}

/** Indexes of the routes the selection names, in a stable order (http, tls, tcp; by position). */
function selectIndexes(vs: VirtualService, sel: RouteSelection, vsRef: string): PlanResult<{ picked: Array<[RouteKind, number]> }> {
  // Siskin's own matched routes are invisible here: they are not the user's routes to shift.
  const http = ((vs.spec.http ?? []) as RouteLike[]).map((r) => (isSiskinRoute(r) ? null : r));
  const userHttp = http.flatMap((r, i) => (r === null ? [] : [i]));
  const tls = (vs.spec.tls ?? []) as RouteLike[];
  const tcp = (vs.spec.tcp ?? []) as RouteLike[];
  const picked = new Map<string, [RouteKind, number]>();
  const pick = (kind: RouteKind, i: number) => picked.set(`${kind}/${i}`, [kind, i]);
  const httpNames = [...new Set(sel.httpRoutes ?? [])];
  const listHttp = () => userHttp.map((i) => routeRef("http", i, http[i]?.name)).join(", ") || "none";

  if (httpNames.length > 0) {
    for (const name of httpNames) {
      const found = http.flatMap((r, i) => (r !== null && r.name === name ? [i] : []));
      if (found.length === 0) {
        return fail(PlanErrorCode.routeNotFound, vsRef, `http route "${name}" is not found in ${vsRef} (its http routes: ${listHttp()}); fix the route name, or add \`name: ${name}\` to the route to shift`, `http route "${name}"`);
      }
      if (found.length > 1) {
        return fail(PlanErrorCode.ambiguousRoute, vsRef, `http route name "${name}" is used by ${found.map((i) => `spec.http[${i}]`).join(" and ")} of ${vsRef}; give each route a unique name`, `http route "${name}"`);
      }
      pick("http", found[0] ?? 0);
    }
  } else if ((sel.tlsRoutes ?? []).length === 0 && (sel.tcpRoutes ?? []).length === 0) {
    if (userHttp.length === 0) {
      return fail(PlanErrorCode.routeNotFound, vsRef, `${vsRef} has no http route; select its tls routes (tlsRoutes, --tls-port/--sni) or tcp routes (tcpRoutes, --tcp-port), or add an http route`);
    }
    if (userHttp.length > 1) {
      return fail(PlanErrorCode.ambiguousRoute, vsRef, `${vsRef} has ${userHttp.length} http routes (${listHttp()}) and no route names were given; name the routes to shift (routes, --routes a,b), giving unnamed routes a \`name\` first`);
    }
    pick("http", userHttp[0] ?? 0);
  }

  for (const s of sel.tlsRoutes ?? []) {
    if (s.port !== undefined && !isPort(s.port)) {
      return fail(PlanErrorCode.invalidSplit, vsRef, `tls route selector port ${String(s.port)} for ${vsRef} is not a port 1..65535`);
    }
    const want = new Set(s.sniHosts);
    const found = tls.flatMap((r, i) => {
      const have = sniSet(r);
      return samePort(matchPorts(r), s.port ?? 0) && have.size === want.size && [...want].every((h) => have.has(h)) ? [i] : [];
    });
    if (found.length === 0) {
      const what = `port ${s.port ?? "(none)"}, sniHosts [${s.sniHosts.join(", ")}]`;
      return fail(PlanErrorCode.routeNotFound, vsRef, `no tls route of ${vsRef} matches ${what}; a tls route matches when all its match blocks name that one port and together exactly those SNI hosts — fix --tls-port/--sni`);
    }
    for (const i of found) pick("tls", i);
  }
  for (const s of sel.tcpRoutes ?? []) {
    if (!isPort(s.port)) {
      return fail(PlanErrorCode.invalidSplit, vsRef, `tcp route selector port ${String(s.port)} for ${vsRef} is not a port 1..65535`);
    }
    const found = tcp.flatMap((r, i) => (samePort(matchPorts(r), s.port) ? [i] : []));
    if (found.length === 0) {
      return fail(PlanErrorCode.routeNotFound, vsRef, `no tcp route of ${vsRef} matches port ${s.port}; a tcp route matches when all its match blocks name exactly that port — fix --tcp-port`);
    }
    for (const i of found) pick("tcp", i);
  }
  const order = { http: 0, tls: 1, tcp: 2 } as const;
  return { ok: true, picked: [...picked.values()].sort((a, b) => order[a[0]] - order[b[0]] || a[1] - b[1]) };
}

type Role = "stable" | "canary" | "other";

/** Host whose subsets count, for a subset split without `host`: the canary subset's host, else the stable subset's. */
function inferSubsetHost(entries: RouteDestination[], stable: string, canary: string): { host?: string; hosts: string[] } {
  for (const subset of [canary, stable]) {
    const hosts = [...new Set(entries.filter((e) => e.destination.subset === subset).map((e) => shortHost(e.destination.host)))];
    if (hosts.length > 0) return hosts.length === 1 ? { host: hosts[0] ?? "", hosts } : { hosts };
  }
  return { hosts: [] };
}

function resolveRoute(kind: RouteKind, index: number, raw: RouteLike, split: Split, vsRef: string): PlanResult<{ route: ManagedRoute }> {
  const ref = routeRef(kind, index, raw.name);
  const entries = raw.route;
  if (!Array.isArray(entries) || entries.length === 0) {
    return fail(PlanErrorCode.destinationMissing, vsRef, `${ref} of ${vsRef} has no route destinations (redirect, directResponse or delegate routes cannot be shifted); select a route with a \`route\` list`, ref);
  }
  for (const [j, e] of entries.entries()) {
    if (!isRecord(e) || !isRecord(e.destination) || typeof e.destination.host !== "string") {
      return fail(PlanErrorCode.invalidObject, vsRef, `${ref}.route[${j}] of ${vsRef} has no destination.host; fix the VirtualService`, ref);
    }
    if (e.weight !== undefined && !(typeof e.weight === "number" && Number.isInteger(e.weight) && e.weight >= 0)) {
      return fail(PlanErrorCode.invalidWeight, vsRef, `${ref}.route[${j}].weight of ${vsRef} is ${JSON.stringify(e.weight)}, not a non-negative integer; fix the VirtualService`, ref);
    }
  }
  const dests = entries as RouteDestination[];
  let roleOf: (e: RouteDestination) => Role;
  let splitHost: string | undefined;
  switch (split.by) {
    case "host": {
      const s = shortHost(split.stableHost);
      const c = shortHost(split.canaryHost);
      roleOf = (e) => (shortHost(e.destination.host) === s ? "stable" : shortHost(e.destination.host) === c ? "canary" : "other");
      break;
    }
    case "subset": {
      const inferred = split.host === undefined ? inferSubsetHost(dests, split.stableSubset, split.canarySubset) : { host: shortHost(split.host), hosts: [] };
      if (inferred.host === undefined && inferred.hosts.length > 1) {
        return fail(PlanErrorCode.ambiguousRoute, vsRef, `${ref} of ${vsRef} routes subset "${split.canarySubset}" or "${split.stableSubset}" of several hosts (${inferred.hosts.join(", ")}); say which host to split (host, --host)`, ref);
      }
      splitHost = inferred.host;
      const h = inferred.host;
      roleOf = (e) => {
        if (h === undefined || shortHost(e.destination.host) !== h) return "other";
        return e.destination.subset === split.stableSubset ? "stable" : e.destination.subset === split.canarySubset ? "canary" : "other";
      };
      break;
    }
    default: {
      const never: never = split;
      throw new Error(`unknown split ${JSON.stringify(never)}`);
    }
  }
  const roles = dests.map(roleOf);
  const want = describeSplit(split.by === "subset" && splitHost !== undefined && split.host === undefined ? { ...split, host: splitHost } : split);
  let addCanary: ManagedRoute["addCanary"];
  for (const role of ["stable", "canary"] as const) {
    const at = roles.flatMap((r, j) => (r === role ? [j] : []));
    const stableAt = roles.indexOf("stable");
    if (at.length === 0 && role === "canary" && split.by === "subset" && stableAt >= 0) {
      // Subsets are named after versions, so a new release's canary cannot be listed beforehand: add it.
      addCanary = { host: dests[stableAt]?.destination.host ?? "", subset: split.canarySubset };
      continue;
    }
    if (at.length === 0) {
      return fail(PlanErrorCode.destinationMissing, vsRef, `${ref} of ${vsRef} has no ${role} destination ${want[role]}; add \`- destination: ${want[role]}\` with \`weight: ${role === "stable" ? 100 : 0}\` to that route (Siskin only changes weights), or fix the ${role} name`, ref);
    }
    if (at.length > 1) {
      return fail(PlanErrorCode.duplicateDestination, vsRef, `${ref} of ${vsRef} lists the ${role} destination ${want[role]} ${at.length} times (route[${at.join("], route[")}]); keep one entry per destination${split.by === "host" ? ", or split subsets of one host with by: subset (--by subset)" : ""}`, ref);
    }
  }
  // A destination of neither version is refused, unless it carries no traffic (weight 0): a version an
  // earlier release left behind. It stays in place; Siskin never deletes destinations.
  const other = roles.findIndex((r, j) => r === "other" && implicitWeight(dests, dests[j] as RouteDestination) !== 0);
  if (other >= 0) {
    const d = dests[other]?.destination;
    const what = d ? `{host: ${d.host}${d.subset !== undefined ? `, subset: ${d.subset}` : ""}}` : "?";
    return fail(PlanErrorCode.unknownDestination, vsRef, `${ref}.route[${other}] of ${vsRef} sends traffic to ${what}, which is neither stable ${want.stable} nor canary ${want.canary}; Siskin never deletes destinations — move it to its own route, remove it, or fix the stable/canary names`, ref);
  }
  const route: ManagedRoute = { kind, index, ref, destinations: dests, stableIndex: roles.indexOf("stable"), canaryIndex: roles.indexOf("canary") };
  if (addCanary !== undefined) route.addCanary = addCanary;
  if (typeof raw.name === "string") route.name = raw.name;
  return { ok: true, route };
}

/** Checks the VirtualService's shape, selects the managed routes and finds their stable and canary destinations. */
export function selectManagedRoutes(vs: VirtualService, sel: RouteSelection): PlanResult<{ routes: ManagedRoute[]; vsRef: string }> {
  const vsRef = `VirtualService ${objectRef(isRecord(vs) && isRecord(vs.metadata) ? vs.metadata : undefined)}`;
  if (!isRecord(vs) || !isRecord(vs.spec)) return fail(PlanErrorCode.invalidObject, vsRef, `${vsRef} has no spec; pass a whole VirtualService object`);
  for (const kind of Object.values(RouteKind)) {
    const list = vs.spec[kind];
    if (list !== undefined && (!Array.isArray(list) || !list.every(isRecord))) {
      return fail(PlanErrorCode.invalidObject, vsRef, `spec.${kind} of ${vsRef} is not a list of routes; fix the VirtualService`);
    }
  }
  const splitOk = validateSplit(sel.split, vsRef);
  if (!splitOk.ok) return splitOk;
  const sel1 = selectIndexes(vs, sel, vsRef);
  if (!sel1.ok) return sel1;
  const routes: ManagedRoute[] = [];
  for (const [kind, i] of sel1.picked) {
    const raw = (vs.spec[kind] ?? [])[i] as RouteLike;
    const r = resolveRoute(kind, i, raw, sel.split, vsRef);
    if (!r.ok) return r;
    routes.push(r.route);
  }
  return { ok: true, routes, vsRef };
}
