// Istio's standard metric labels, in the order istio/proxy emits them (tech-facts §2.6), for one
// request as the source (client) or destination (server) sidecar reports it. Pure.
import type { RouteResult } from "./route.js";

/** Label names of istio_requests_total & co., in emission order. */
export const IstioLabelNames = [
  "reporter",
  "source_workload",
  "source_canonical_service",
  "source_canonical_revision",
  "source_workload_namespace",
  "source_principal",
  "source_app",
  "source_version",
  "source_cluster",
  "destination_workload",
  "destination_workload_namespace",
  "destination_principal",
  "destination_app",
  "destination_version",
  "destination_service",
  "destination_canonical_service",
  "destination_canonical_revision",
  "destination_service_name",
  "destination_service_namespace",
  "destination_cluster",
  "request_protocol",
  "response_code",
  "grpc_response_status",
  "response_flags",
  "connection_security_policy",
] as const;
export type IstioLabelName = (typeof IstioLabelNames)[number];
export type IstioLabels = Record<IstioLabelName, string>;

/** Istio's value for anything it cannot know. */
export const Unknown = "unknown";
/** `destination_cluster`/`source_cluster` of a single-cluster mesh. */
export const ClusterName = "Kubernetes";

/** Who sends the simulated traffic. */
export interface ClientIdentity {
  workload: string;
  namespace: string;
  app: string;
  version: string;
  canonicalService: string;
  canonicalRevision: string;
  principal: string;
}

/** A client outside the mesh (no sidecar): every source_* label is "unknown". */
export const UnknownClient: ClientIdentity = {
  workload: Unknown,
  namespace: Unknown,
  app: Unknown,
  version: Unknown,
  canonicalService: Unknown,
  canonicalRevision: Unknown,
  principal: Unknown,
};

/** A named in-mesh client workload (the load generator), with Istio's defaults for what it lacks. */
export function namedClient(workload: string, namespace: string): ClientIdentity {
  return {
    workload,
    namespace,
    app: workload,
    version: Unknown,
    canonicalService: workload,
    canonicalRevision: "latest",
    principal: `spiffe://cluster.local/ns/${namespace}/sa/default`,
  };
}

/** Which sidecar reports the series. */
export type Reporter = "source" | "destination";

/**
 * The label set of one request for one reporter. A local reply (NR, UH, NC, FI) never reaches a
 * workload, so its destination_workload/app/version/principal/canonical_* are "unknown"; the service
 * labels are filled when routing resolved a service, else destination_service is the requested host.
 */
export function istioLabels(reporter: Reporter, client: ClientIdentity, result: RouteResult, code: number): IstioLabels {
  const known = client.workload !== Unknown;
  const service = result.service;
  const upstream = result.kind === "upstream" ? result.endpoint.identity : undefined;
  const flag = result.kind === "local" ? result.flag : result.delayMs > 0 ? "DI" : "-";
  return {
    reporter,
    source_workload: client.workload,
    source_canonical_service: client.canonicalService,
    source_canonical_revision: client.canonicalRevision,
    source_workload_namespace: client.namespace,
    source_principal: client.principal,
    source_app: client.app,
    source_version: client.version,
    source_cluster: known ? ClusterName : Unknown,
    destination_workload: upstream?.workload ?? Unknown,
    destination_workload_namespace: upstream?.namespace ?? Unknown,
    destination_principal: upstream?.principal ?? Unknown,
    destination_app: upstream?.app ?? Unknown,
    destination_version: upstream?.version ?? Unknown,
    destination_service: service?.fqdn ?? (result.kind === "local" ? result.host : Unknown),
    destination_canonical_service: upstream?.canonicalService ?? Unknown,
    destination_canonical_revision: upstream?.canonicalRevision ?? Unknown,
    destination_service_name: service?.name ?? Unknown,
    destination_service_namespace: service?.namespace ?? Unknown,
    destination_cluster: upstream !== undefined ? ClusterName : Unknown,
    request_protocol: "http",
    response_code: String(code),
    grpc_response_status: "",
    response_flags: flag,
    connection_security_policy: reporter === "destination" ? "mutual_tls" : Unknown,
  };
}
