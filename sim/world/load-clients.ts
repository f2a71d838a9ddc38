/**
 * Load clients of the simulated world: Pods annotated `sim.siskin.dev/load-target` (a Service in the
 * Pod's namespace) and `sim.siskin.dev/load-rps`, like BookInfo's productpage calling ratings. Pure.
 */
import type { ClientIdentity } from "../mesh/labels.js";

/** Annotations of a load client Pod. */
export const LoadAnnotation = {
  /** The Service (same namespace) the client sends requests to. */
  target: "sim.siskin.dev/load-target",
  /** Requests per second (default 50). */
  rps: "sim.siskin.dev/load-rps",
} as const;

/** One constant-rate client. */
export interface LoadClient {
  namespace: string;
  /** Target Service. */
  service: string;
  rps: number;
  /** Who Istio says sent the requests (source_* labels). */
  identity: ClientIdentity;
}

interface PodLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { serviceAccountName?: string };
}

const DEFAULT_RPS = 50;

/**
 * The load clients among `pods`, with Istio's identity of each Pod (workload = the Pod's name, as for
 * a Pod without a controller; canonical service/revision from `app`/`version`). A bad rps is an error
 * naming the Pod.
 */
export function loadClientsOf(pods: readonly unknown[]): LoadClient[] {
  const out: LoadClient[] = [];
  for (const raw of pods) {
    const pod = raw as PodLike;
    const target = pod.metadata?.annotations?.[LoadAnnotation.target];
    if (target === undefined || target === "") continue;
    const name = pod.metadata?.name ?? "unnamed";
    const namespace = pod.metadata?.namespace ?? "default";
    const rpsText = pod.metadata?.annotations?.[LoadAnnotation.rps];
    const rps = rpsText === undefined ? DEFAULT_RPS : Number(rpsText);
    if (!Number.isFinite(rps) || rps <= 0) {
      throw new Error(`sim-world: Pod ${namespace}/${name} has ${LoadAnnotation.rps}="${rpsText}"; give a number > 0 (requests per second)`);
    }
    const labels = pod.metadata?.labels ?? {};
    const app = labels["app"] ?? name;
    const version = labels["version"] ?? "unknown";
    out.push({
      namespace,
      service: target,
      rps,
      identity: {
        workload: name,
        namespace,
        app,
        version,
        canonicalService: labels["service.istio.io/canonical-name"] ?? app,
        canonicalRevision: labels["service.istio.io/canonical-revision"] ?? (labels["version"] ?? "latest"),
        principal: `spiffe://cluster.local/ns/${namespace}/sa/${pod.spec?.serviceAccountName ?? "default"}`,
      },
    });
  }
  return out;
}
