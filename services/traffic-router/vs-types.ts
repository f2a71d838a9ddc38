// TypeScript shapes of the Istio objects the traffic router reads and writes
// (networking.istio.io v1 / v1beta1 / v1alpha3 share one schema; see tech-facts §2.1–2.3).
// Only the fields Siskin looks at are typed; every object keeps an index signature so that
// fields we do not know survive a round trip untouched.

/** Kubernetes object metadata (only what Siskin reads; the rest is kept as is). */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  [key: string]: unknown;
}

/** `destination` of a route entry: the service host, optional DestinationRule subset and port. */
export interface Destination {
  /** Service host, short (`reviews`) or FQDN (`reviews.default.svc.cluster.local`). */
  host: string;
  /** Subset name defined in a DestinationRule for `host`. */
  subset?: string;
  port?: { number?: number; [key: string]: unknown };
  [key: string]: unknown;
}

/** One weighted entry of `route[]` (HTTPRouteDestination for http, RouteDestination for tls/tcp). */
export interface RouteDestination {
  destination: Destination;
  /**
   * Relative share of traffic. Omitted means: 100 when it is the only destination, else 0
   * (proto3 default); see {@link implicitWeight}.
   */
  weight?: number;
  [key: string]: unknown;
}

/** `spec.http[]`: an HTTPRoute. Matches, mirrors, retries, corsPolicy, headers, … are kept verbatim. */
export interface HttpRoute {
  /** Optional route name; required to select a route when the VirtualService has more than one. */
  name?: string;
  match?: Array<Record<string, unknown>>;
  route?: RouteDestination[];
  [key: string]: unknown;
}

/** One entry of `spec.tls[].match[]` (TLSMatchAttributes). */
export interface TlsMatch {
  sniHosts?: string[];
  port?: number;
  [key: string]: unknown;
}

/** `spec.tls[]`: a TLSRoute (SNI passthrough). */
export interface TlsRoute {
  match?: TlsMatch[];
  route?: RouteDestination[];
  [key: string]: unknown;
}

/** One entry of `spec.tcp[].match[]` (L4MatchAttributes). */
export interface TcpMatch {
  port?: number;
  [key: string]: unknown;
}

/** `spec.tcp[]`: a TCPRoute. */
export interface TcpRoute {
  match?: TcpMatch[];
  route?: RouteDestination[];
  [key: string]: unknown;
}

/** `spec` of a VirtualService. */
export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HttpRoute[];
  tls?: TlsRoute[];
  tcp?: TcpRoute[];
  [key: string]: unknown;
}

/** A whole `networking.istio.io` VirtualService object, as read from the API server or a file. */
export interface VirtualService {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec: VirtualServiceSpec;
  [key: string]: unknown;
}

/** `spec.subsets[]` of a DestinationRule. */
export interface Subset {
  name: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

/** A whole `networking.istio.io` DestinationRule object. */
export interface DestinationRule {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec: {
    host: string;
    subsets?: Subset[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Route kinds of a VirtualService that carry weighted destinations. */
export const RouteKind = { http: "http", tls: "tls", tcp: "tcp" } as const;
/** `"http" | "tls" | "tcp"`. */
export type RouteKind = (typeof RouteKind)[keyof typeof RouteKind];

/**
 * The weight Istio gives a destination without `weight`: a lone destination takes all traffic,
 * otherwise the proto3 default 0 applies.
 */
export function implicitWeight(route: readonly RouteDestination[], entry: RouteDestination): number {
  return entry.weight ?? (route.length === 1 ? 100 : 0);
}

/** `reviews.default.svc.cluster.local` → `reviews`: the comparison Argo Rollouts uses for hosts. */
export function shortHost(host: string): string {
  const dot = host.indexOf(".");
  return dot > 0 ? host.slice(0, dot) : host;
}

/** `ns/name`, or `name` when the object carries no namespace. */
export function objectRef(meta: ObjectMeta | undefined): string {
  const name = meta?.name ?? "(unnamed)";
  return meta?.namespace ? `${meta.namespace}/${name}` : name;
}
