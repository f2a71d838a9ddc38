// The simulated mesh without I/O: the latest cluster view (fed by watches), the router, the workloads'
// scripted answers and the telemetry. Time comes from an injected clock; randomness from seeded streams.
import { answer } from "./behaviour.js";
import { istioLabels, namedClient, type ClientIdentity } from "./labels.js";
import { createRng, hashSeed, type Rng } from "./prng.js";
import { mirrorEndpoint, route, type MeshRequest, type RouteResult } from "./route.js";
import { createTelemetry, type Telemetry } from "./telemetry.js";
import { emptyObjects, type Clock, type MeshObjects } from "./types.js";
import { buildView, serviceFqdn, type MeshView } from "./workloads.js";

/** The result of one simulated request. */
export interface Outcome {
  code: number;
  /** Latency the client saw (ms), injected delay included. */
  latencyMs: number;
  /** Envoy response flag: "-", NR, UH, NC, FI or DI. */
  flag: string;
  /** `destination_version` of the workload that answered, when one did. */
  version: string | undefined;
  /** VMI that answered, when one did. */
  workload: string | undefined;
  /** `<ns>/<name>` of the destination service, when routing resolved one. */
  service: string | undefined;
  subset: string | undefined;
  /** Why no workload answered (local replies only). */
  reason: string | undefined;
  /**
   * Shadow copies of the request (route `mirror`/`mirrors`) and what each workload answered. The
   * client never sees these answers: Envoy sends the copy "fire and forget" and discards the reply.
   */
  shadows: Array<{ version: string; workload: string; code: number; latencyMs: number }>;
}

/** Where generated traffic goes: a host, or a service in a namespace. */
export interface TrafficTarget {
  /** Host header (short, `svc.ns`, FQDN or external name). */
  host?: string;
  service?: string;
  /** Namespace of `service`; also the client namespace short hosts resolve in (default "default"). */
  namespace?: string;
  headers?: Record<string, string>;
  path?: string;
  method?: string;
}

/** Counts of a batch or of everything so far. */
export interface TrafficCounts {
  total: number;
  byVersion: Record<string, number>;
  byCode: Record<string, number>;
  byFlag: Record<string, number>;
  /** Shadow copies that reached a workload, by its version (absent when there were none). */
  mirroredByVersion?: Record<string, number>;
}

/** Per-service counts (key `<namespace>/<service>`, or the raw host when no service resolved). */
export type MeshSnapshot = Record<string, TrafficCounts>;

/** Options of {@link createMesh}. */
export interface MeshOptions {
  clock: Clock;
  /** Seed of every random stream (default 1). */
  seed?: number;
  /** Who the generator is (source_* labels). Default: workload `siskin-loadgen` in `siskin-sim`. */
  client?: ClientIdentity;
}

/** The mesh core; see {@link createMesh}. */
export interface Mesh {
  /** Replaces the cluster view (called on every watch event; routing follows at once). */
  update(objects: MeshObjects): void;
  objects(): MeshObjects;
  view(): MeshView;
  telemetry: Telemetry;
  /** Sends one request through the mesh, records it for both reporters, returns the outcome. */
  request(req: MeshRequest, client?: ClientIdentity): Outcome;
  /** Sends `count` requests to a target and returns their counts. */
  generate(target: TrafficTarget & { count: number }): TrafficCounts;
  /** Counts of all requests so far, per destination service. */
  snapshot(): MeshSnapshot;
  /** Annotation problems of the current workloads, one line each. */
  problems(): string[];
}

/** The load generator's default identity. */
export const DefaultClient = namedClient("siskin-loadgen", "siskin-sim");

const emptyCounts = (): TrafficCounts => ({ total: 0, byVersion: {}, byCode: {}, byFlag: {} });

function count(c: TrafficCounts, o: Outcome): void {
  c.total++;
  const v = o.version ?? "none";
  c.byVersion[v] = (c.byVersion[v] ?? 0) + 1;
  c.byCode[String(o.code)] = (c.byCode[String(o.code)] ?? 0) + 1;
  c.byFlag[o.flag] = (c.byFlag[o.flag] ?? 0) + 1;
  for (const sh of o.shadows) {
    const m = (c.mirroredByVersion ??= {});
    m[sh.version] = (m[sh.version] ?? 0) + 1;
  }
}

function bytesOf(req: MeshRequest): number {
  let n = (req.method ?? "GET").length + (req.path ?? "/").length + req.host.length + 16;
  for (const [k, v] of Object.entries(req.headers ?? {})) n += k.length + v.length + 4;
  return n;
}

/** Resolves a target to the request it sends. */
export function targetRequest(t: TrafficTarget): MeshRequest {
  const namespace = t.namespace ?? "default";
  const host = t.host ?? (t.service !== undefined ? serviceFqdn(t.service, namespace) : undefined);
  if (host === undefined) throw new Error("sim-mesh generate: give a host, or a service (and namespace); neither was set");
  return { host, sourceNamespace: namespace, path: t.path ?? "/", method: t.method ?? "GET", headers: t.headers ?? {} };
}

/** Creates the mesh core. */
export function createMesh(opts: MeshOptions): Mesh {
  const seed = opts.seed ?? 1;
  const defaultClient = opts.client ?? DefaultClient;
  let objects = emptyObjects();
  let view: MeshView = buildView(objects);
  const telemetry = createTelemetry(() => view);
  const streams = new Map<string, Rng>();
  const stream = (...parts: string[]): Rng => {
    const key = parts.join("/");
    let rng = streams.get(key);
    if (rng === undefined) {
      rng = createRng(hashSeed(seed, ...parts));
      streams.set(key, rng);
    }
    return rng;
  };
  const totals = new Map<string, TrafficCounts>();

  /**
   * Envoy's shadowing: a copy goes to each mirror (for its share of requests) with the Host suffixed
   * `-shadow`; the mirror's answer is discarded. The client sidecar reports nothing for the copy (its
   * stats filter sees one request, to the primary destination); the mirror's server sidecar reports
   * it like any inbound request (istio/istio#23496, #11093). Own random stream, so adding a mirror
   * leaves the primary routing's draws as they were.
   */
  const shadow = (table: Parameters<typeof route>[0], req: MeshRequest, result: RouteResult & { kind: "upstream" }, client: ClientIdentity, reqBytes: number): Outcome["shadows"] => {
    const out: Outcome["shadows"] = [];
    const rng = stream("mirror", req.sourceNamespace ?? "default", req.host);
    for (const m of result.mirrors) {
      const [hit, pick] = [rng.next(), rng.next()];
      if (hit * 100 >= m.percentage) continue;
      const target = mirrorEndpoint(table, m, pick);
      if (target === undefined) continue;
      const w = target.endpoint;
      const a = answer(w.behaviour, w, opts.clock(), stream("workload", w.namespace, w.name));
      const body = a.code < 400 ? `{"version":${JSON.stringify(w.identity.version)},"workload":${JSON.stringify(w.name)}}` : "upstream error";
      const shadowResult: RouteResult = { ...result, service: target.service, subset: m.subset, endpoint: w, delayMs: 0, mirrors: [] };
      telemetry.record(istioLabels("destination", client, shadowResult, a.code), a.latencyMs, reqBytes + "-shadow".length, body.length);
      out.push({ version: w.identity.version, workload: w.name, code: a.code, latencyMs: a.latencyMs });
    }
    return out;
  };

  const request = (req: MeshRequest, client: ClientIdentity = defaultClient): Outcome => {
    const routeRng = stream("route", req.sourceNamespace ?? "default", req.host);
    const table = { view, virtualServices: objects.virtualServices, destinationRules: objects.destinationRules };
    const result: RouteResult = route(table, req, () => routeRng.next());
    const reqBytes = bytesOf(req);
    let outcome: Outcome;
    if (result.kind === "upstream") {
      const w = result.endpoint;
      const a = answer(w.behaviour, w, opts.clock(), stream("workload", w.namespace, w.name));
      const body = a.code < 400 ? `{"version":${JSON.stringify(w.identity.version)},"workload":${JSON.stringify(w.name)}}` : "upstream error";
      telemetry.record(istioLabels("destination", client, result, a.code), a.latencyMs, reqBytes, body.length);
      const seen = a.latencyMs + result.delayMs;
      telemetry.record(istioLabels("source", client, result, a.code), seen, reqBytes, body.length);
      outcome = {
        code: a.code, latencyMs: seen, flag: result.delayMs > 0 ? "DI" : "-", version: w.identity.version, workload: w.name,
        service: `${result.service.namespace}/${result.service.name}`, subset: result.subset, reason: undefined,
        shadows: shadow(table, req, result, client, reqBytes),
      };
    } else {
      // A local reply is produced by the client sidecar: only the source reporter sees it.
      const body = result.flag === "UH" ? "no healthy upstream" : "";
      const latency = 0.2 + result.delayMs;
      telemetry.record(istioLabels("source", client, result, result.code), latency, reqBytes, body.length);
      outcome = {
        code: result.code, latencyMs: latency, flag: result.flag, version: undefined, workload: undefined,
        service: result.service === undefined ? undefined : `${result.service.namespace}/${result.service.name}`,
        subset: result.subset, reason: result.reason, shadows: [],
      };
    }
    const key = outcome.service ?? result.service?.fqdn ?? req.host;
    let t = totals.get(key);
    if (t === undefined) totals.set(key, (t = emptyCounts()));
    count(t, outcome);
    return outcome;
  };

  return {
    update(next) {
      objects = next;
      view = buildView(next);
    },
    objects: () => objects,
    view: () => view,
    telemetry,
    request,
    generate(target) {
      const req = targetRequest(target);
      const c = emptyCounts();
      for (let i = 0; i < target.count; i++) count(c, request(req));
      return c;
    },
    snapshot() {
      return Object.fromEntries([...totals].map(([k, v]) => [k, structuredClone(v)]));
    },
    problems() {
      return view.workloads.flatMap((w) => w.problems.map((p) => `VMI ${w.namespace}/${w.name}: ${p}`));
    },
  };
}
