// The client sidecar's routing decision for one request, as Envoy makes it from the configuration
// istiod derives from VirtualServices and DestinationRules (tech-facts §2.2–2.3). Pure: randomness
// arrives as a `draw` function of seeded uniforms.
import { anyMatches, type MatchInput } from "./match.js";
import type { DestinationRule, HttpRoute, VirtualService } from "./types.js";
import { DomainSuffix, endpointsOf, selects, type MeshService, type MeshView, type Workload } from "./workloads.js";

/** Envoy response flags the simulator produces. */
export const ResponseFlag = {
  none: "-",
  /** No route configured (no matching route, or a subset no DestinationRule defines). */
  noRoute: "NR",
  /** No healthy upstream: the destination has no Ready endpoint. */
  noHealthyUpstream: "UH",
  /** No cluster: the destination host is not a known service. */
  noCluster: "NC",
  /** Fault injection abort. */
  faultInjected: "FI",
  /** Fault injection delay. */
  delayInjected: "DI",
} as const;
export type ResponseFlag = (typeof ResponseFlag)[keyof typeof ResponseFlag];

/** One request as the client sidecar sees it. */
export interface MeshRequest {
  /** Host header: short (`reviews`), `reviews.ns`, FQDN, or an external name a VirtualService lists. */
  host: string;
  /** Client namespace: short names resolve against it (default "default"). */
  sourceNamespace?: string;
  sourceLabels?: Record<string, string>;
  method?: string;
  /** Path and query, default "/". */
  path?: string;
  port?: number;
  headers?: Record<string, string>;
}

/** Where a matched route shadows a copy of the request, and for which share of requests. */
export interface MirrorTarget {
  /** Destination host, expanded against the VirtualService's namespace. */
  host: string;
  subset: string | undefined;
  /** Percent of requests mirrored (Istio: `mirrorPercentage.value`, default 100). */
  percentage: number;
}

/** What routing works on: the derived view plus the Istio objects. */
export interface RoutingTable {
  view: MeshView;
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
}

/** Where the request went (or why it did not get anywhere). */
export type RouteResult =
  | {
      kind: "upstream";
      service: MeshService;
      subset: string | undefined;
      endpoint: Workload;
      virtualService: string | undefined;
      route: string | undefined;
      /** Injected delay (ms); flag DI when > 0. */
      delayMs: number;
      /** The matched route's mirrors (`mirror` + `mirrorPercentage`, and `mirrors[]`), hosts expanded. */
      mirrors: MirrorTarget[];
    }
  | {
      kind: "local";
      code: number;
      flag: ResponseFlag;
      /** The destination service when routing got that far (UH, FI, missing subset), else undefined. */
      service: MeshService | undefined;
      subset: string | undefined;
      /** The authority as resolved (FQDN when it named a known service). */
      host: string;
      reason: string;
      delayMs: number;
    };

/** Expands a host written in an Istio object: a bare name is relative to the object's namespace. */
export function expandHost(host: string, namespace: string): string {
  return host.includes(".") || host === "*" ? host : `${host}.${namespace}.${DomainSuffix}`;
}

function hostMatches(pattern: string, fqdn: string): boolean {
  if (pattern === "*") return true;
  if (pattern.startsWith("*.")) return fqdn.endsWith(pattern.slice(1));
  return pattern === fqdn;
}

/** The service a request's Host header names, as the sidecar's virtual host domains resolve it. */
export function resolveAuthority(view: MeshView, host: string, sourceNamespace: string): MeshService | undefined {
  const h = host.replace(/:\d+$/, "").toLowerCase();
  return view.services.find(
    (s) =>
      h === s.fqdn ||
      h === `${s.name}.${s.namespace}` ||
      h === `${s.name}.${s.namespace}.svc` ||
      (h === s.name && s.namespace === sourceNamespace),
  );
}

const nsOf = (o: { metadata: { namespace?: string } }) => o.metadata.namespace ?? "default";
const created = (o: { metadata: { creationTimestamp?: string | Date } }) => {
  const t = o.metadata.creationTimestamp;
  return t === undefined ? "" : t instanceof Date ? t.toISOString() : t;
};
const byAge = <T extends { metadata: { name?: string; namespace?: string; creationTimestamp?: string | Date } }>(a: T, b: T) =>
  created(a).localeCompare(created(b)) || nsOf(a).localeCompare(nsOf(b)) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");

/** The VirtualService sidecars use for a host: gateways include "mesh" (or none given); exact host before wildcard, then oldest. */
export function virtualServiceFor(table: RoutingTable, fqdn: string): VirtualService | undefined {
  const score = (vs: VirtualService): number => {
    const gw = vs.spec?.gateways;
    if (gw !== undefined && gw.length > 0 && !gw.includes("mesh")) return 0;
    let best = 0;
    for (const h of vs.spec?.hosts ?? []) {
      const p = expandHost(h, nsOf(vs));
      if (hostMatches(p, fqdn)) best = Math.max(best, p === fqdn ? 2 : 1);
    }
    return best;
  };
  const scored = table.virtualServices.map((vs) => ({ vs, s: score(vs) })).filter((x) => x.s > 0);
  scored.sort((a, b) => b.s - a.s || byAge(a.vs, b.vs));
  return scored[0]?.vs;
}

/** The DestinationRule for a service FQDN (oldest wins, as in Istio). */
export function destinationRuleFor(table: RoutingTable, fqdn: string): DestinationRule | undefined {
  return table.destinationRules
    .filter((dr) => dr.spec?.host !== undefined && hostMatches(expandHost(dr.spec.host, nsOf(dr)), fqdn))
    .sort(byAge)[0];
}

interface Matched {
  route: HttpRoute;
  vs: VirtualService;
}

function firstMatch(table: RoutingTable, vs: VirtualService, input: MatchInput, depth: number): Matched | undefined {
  for (const route of vs.spec?.http ?? []) {
    if (!anyMatches(route.match, input)) continue;
    if (route.delegate === undefined) return { route, vs };
    if (depth > 0) continue; // Istio allows one level of delegation.
    const name = route.delegate.name;
    const ns = route.delegate.namespace ?? nsOf(vs);
    const delegate = table.virtualServices.find((d) => d.metadata.name === name && nsOf(d) === ns);
    const inner = delegate === undefined ? undefined : firstMatch(table, delegate, input, depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function percentHit(p: { value?: number } | undefined, draw: number): boolean {
  const value = p?.value ?? 100;
  return draw * 100 < value;
}

/** Parses an Istio duration like "5s", "1.5s", "200ms"; undefined when malformed. */
export function parseDurationMs(d: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d ?? "");
  if (m === null) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unit;
}

/**
 * Routes one request: the first VirtualService route whose match holds (delegates followed), then its
 * fault, direct response or redirect, then a weighted destination (weight/sum, weight 0 gets nothing),
 * then the DestinationRule subset, then a Ready endpoint. Without a VirtualService a known service gets
 * all its endpoints; an unknown host is 404 NR. `draw()` must return uniforms in [0, 1); it is called
 * exactly four times per request (fault delay, fault abort, weight, endpoint) so streams stay aligned.
 */
export function route(table: RoutingTable, req: MeshRequest, draw: () => number): RouteResult {
  const draws = [draw(), draw(), draw(), draw()] as const;
  const ns = req.sourceNamespace ?? "default";
  const authority = resolveAuthority(table.view, req.host, ns);
  const fqdn = authority?.fqdn ?? req.host.replace(/:\d+$/, "").toLowerCase();
  const local = (code: number, flag: ResponseFlag, reason: string, service?: MeshService, subset?: string, delayMs = 0): RouteResult => ({
    kind: "local", code, flag, service, subset, host: service?.fqdn ?? fqdn, reason, delayMs,
  });
  const input: MatchInput = {
    path: req.path ?? "/",
    method: req.method ?? "GET",
    scheme: "http",
    authority: req.host,
    port: req.port ?? 80,
    headers: req.headers ?? {},
    sourceNamespace: ns,
    sourceLabels: req.sourceLabels,
  };
  const vs = virtualServiceFor(table, fqdn);
  let matched: Matched | undefined;
  if (vs !== undefined) {
    matched = firstMatch(table, vs, input, 0);
    if (matched === undefined) return local(404, ResponseFlag.noRoute, `no route of VirtualService ${nsOf(vs)}/${vs.metadata.name} matches`, authority);
  } else if (authority === undefined) {
    return local(404, ResponseFlag.noRoute, `no service or VirtualService for host ${req.host}`);
  }
  const r = matched?.route;
  const delayMs = r?.fault?.delay !== undefined && percentHit(r.fault.delay.percentage, draws[0]) ? (parseDurationMs(r.fault.delay.fixedDelay) ?? 0) : 0;
  if (r?.fault?.abort?.httpStatus !== undefined && percentHit(r.fault.abort.percentage, draws[1])) {
    return local(r.fault.abort.httpStatus, ResponseFlag.faultInjected, "fault injection abort", authority, undefined, delayMs);
  }
  if (r?.directResponse !== undefined) return local(r.directResponse.status ?? 200, ResponseFlag.none, "direct response", authority, undefined, delayMs);
  if (r?.redirect !== undefined) return local(r.redirect.redirectCode ?? 301, ResponseFlag.none, "redirect", authority, undefined, delayMs);

  let service = authority;
  let subset: string | undefined;
  if (r !== undefined && matched !== undefined) {
    const dests = (r.route ?? []).filter((d) => d.destination?.host !== undefined);
    if (dests.length === 0) return local(404, ResponseFlag.noRoute, "route has no destination", authority);
    let chosen = dests[0];
    if (dests.length > 1) {
      const total = dests.reduce((s, d) => s + Math.max(0, d.weight ?? 0), 0);
      if (total <= 0) return local(503, ResponseFlag.noRoute, "every destination has weight 0", authority);
      let x = draws[2] * total;
      chosen = dests.find((d) => (x -= Math.max(0, d.weight ?? 0)) < 0) ?? dests[dests.length - 1];
    }
    const dest = chosen?.destination ?? {};
    const destFqdn = expandHost(dest.host ?? "", nsOf(matched.vs));
    service = table.view.services.find((s) => s.fqdn === destFqdn);
    if (service === undefined) return local(503, ResponseFlag.noCluster, `destination host ${destFqdn} is not a known service`);
    subset = dest.subset;
  }
  if (service === undefined) return local(404, ResponseFlag.noRoute, `no route for host ${req.host}`);
  let endpoints = endpointsOf(table.view, service);
  if (subset !== undefined) {
    const dr = destinationRuleFor(table, service.fqdn);
    const def = dr?.spec?.subsets?.find((s) => s.name === subset);
    if (def === undefined) {
      return local(503, ResponseFlag.noRoute, `subset ${subset} of ${service.fqdn} is not defined by any DestinationRule`, service, subset, delayMs);
    }
    const labels = def.labels ?? {};
    endpoints = endpoints.filter((w) => selects(labels, w.labels));
  }
  const endpoint = endpoints[Math.floor(draws[3] * endpoints.length)];
  if (endpoint === undefined) {
    return local(503, ResponseFlag.noHealthyUpstream, `no Ready endpoint for ${service.fqdn}${subset === undefined ? "" : ` subset ${subset}`}`, service, subset, delayMs);
  }
  return {
    kind: "upstream", service, subset, endpoint, delayMs,
    mirrors: r === undefined || matched === undefined ? [] : mirrorsOf(r, nsOf(matched.vs)),
    virtualService: matched === undefined ? undefined : `${nsOf(matched.vs)}/${matched.vs.metadata.name ?? ""}`,
    route: r?.name,
  };
}

/** The mirrors of a route: `mirror` (with `mirrorPercentage`, default 100 %) and each of `mirrors[]`. */
export function mirrorsOf(r: HttpRoute, namespace: string): MirrorTarget[] {
  const out: MirrorTarget[] = [];
  const pct = (p: { value?: number } | undefined) => Math.max(0, Math.min(100, p?.value ?? 100));
  if (r.mirror?.host !== undefined) out.push({ host: expandHost(r.mirror.host, namespace), subset: r.mirror.subset, percentage: pct(r.mirrorPercentage) });
  for (const m of r.mirrors ?? []) {
    if (m.destination?.host !== undefined) out.push({ host: expandHost(m.destination.host, namespace), subset: m.destination.subset, percentage: pct(m.percentage) });
  }
  return out;
}

/**
 * The workload a shadow copy reaches: the mirror's service, its subset's Ready endpoints, one picked
 * by `draw`. Undefined when the copy reaches no workload (unknown host, undefined subset, no Ready
 * endpoint): Envoy then drops it, and no sidecar reports anything for it.
 */
export function mirrorEndpoint(table: RoutingTable, m: MirrorTarget, draw: number): { service: MeshService; endpoint: Workload } | undefined {
  const service = table.view.services.find((s) => s.fqdn === m.host);
  if (service === undefined) return undefined;
  let endpoints = endpointsOf(table.view, service);
  if (m.subset !== undefined) {
    const def = destinationRuleFor(table, service.fqdn)?.spec?.subsets?.find((s) => s.name === m.subset);
    if (def === undefined) return undefined;
    endpoints = endpoints.filter((w) => selects(def.labels ?? {}, w.labels));
  }
  const endpoint = endpoints[Math.floor(draw * endpoints.length)];
  return endpoint === undefined ? undefined : { service, endpoint };
}
