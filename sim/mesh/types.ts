// Shapes of the Kubernetes, KubeVirt and Istio objects the simulated mesh reads. Only the fields
// the mesh looks at are typed; an index signature keeps the rest (objects come from watches as JSON).

/** Object metadata, as much as the mesh reads. Timestamps arrive as RFC 3339 strings (or Date from typed lists). */
export interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
  [key: string]: unknown;
}

/** Istio StringMatch: exactly one of exact, prefix, regex (RE2, whole-string). An empty object means "present". */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

/** Istio HTTPMatchRequest (the fields the simulator evaluates). */
export interface HttpMatchRequest {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  ignoreUriCase?: boolean;
  [key: string]: unknown;
}

/** A route destination: service host (short or FQDN), optional DestinationRule subset. */
export interface Destination {
  host?: string;
  subset?: string;
  port?: { number?: number };
}

/** HTTPRouteDestination. */
export interface HttpRouteDestination {
  destination?: Destination;
  weight?: number;
  [key: string]: unknown;
}

/** A percentage as Istio writes it (`{value: 12.5}`). */
export interface Percent {
  value?: number;
}

/** HTTPFaultInjection: a delay and/or an abort, each for a share of requests. */
export interface HttpFault {
  delay?: { fixedDelay?: string; percentage?: Percent; percent?: number };
  abort?: { httpStatus?: number; percentage?: Percent };
}

/** HTTPRoute. */
export interface HttpRoute {
  name?: string;
  match?: HttpMatchRequest[];
  route?: HttpRouteDestination[];
  redirect?: { uri?: string; authority?: string; redirectCode?: number };
  directResponse?: { status?: number; body?: unknown };
  delegate?: { name?: string; namespace?: string };
  fault?: HttpFault;
  /** Shadow a copy of each request here (Istio `mirror`); `mirrorPercentage` of them (default 100). */
  mirror?: Destination;
  mirrorPercentage?: Percent;
  /** Istio ≥ 1.18: several mirrors, each with its own percentage. */
  mirrors?: Array<{ destination?: Destination; percentage?: Percent }>;
  [key: string]: unknown;
}

/** networking.istio.io VirtualService (v1, v1beta1 and v1alpha3 share the schema). */
export interface VirtualService {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec?: { hosts?: string[]; gateways?: string[]; http?: HttpRoute[]; [key: string]: unknown };
}

/** networking.istio.io DestinationRule. */
export interface DestinationRule {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec?: { host?: string; subsets?: Array<{ name?: string; labels?: Record<string, string> }>; [key: string]: unknown };
}

/** A VMI condition. */
export interface Condition {
  type?: string;
  status?: string;
  lastTransitionTime?: string | Date | null;
  reason?: string;
}

/** kubevirt.io/v1 VirtualMachineInstance. */
export interface Vmi {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec?: Record<string, unknown>;
  status?: {
    phase?: string;
    nodeName?: string;
    conditions?: Condition[];
    migrationState?: {
      startTimestamp?: string | Date;
      endTimestamp?: string | Date;
      completed?: boolean;
      failed?: boolean;
      sourceNode?: string;
      targetNode?: string;
      mode?: string;
    } | null;
    [key: string]: unknown;
  };
}

/** v1 Service (selector only). */
export interface Service {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec?: { selector?: Record<string, string> | null; [key: string]: unknown };
}

/** v1 Pod (labels, owner and service account only): the virt-launcher pod carries Istio's identity labels. */
export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec?: { serviceAccountName?: string; [key: string]: unknown };
  status?: { phase?: string; [key: string]: unknown };
}

/** Everything the mesh knows about the cluster at one moment, as the watches last delivered it. */
export interface MeshObjects {
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  vmis: Vmi[];
  services: Service[];
  pods: Pod[];
}

/** An empty cluster view. */
export function emptyObjects(): MeshObjects {
  return { virtualServices: [], destinationRules: [], vmis: [], services: [], pods: [] };
}

/** A clock: milliseconds since the epoch. */
export type Clock = () => number;

/** Parses a Kubernetes timestamp (string or Date) to epoch ms; undefined when absent or unparsable. */
export function timeMs(t: string | Date | null | undefined): number | undefined {
  if (t === undefined || t === null) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}
