// startSimMesh: the simulated Istio mesh against any Kubernetes API server (a KubeConfig). Watches
// VirtualServices, DestinationRules, VMIs, Services and Pods; routes synthetic requests to the Ready
// VMIs; serves Istio-standard /metrics and a front for people on one port.
import type { AddressInfo } from "node:net";
import type { KubeConfig } from "@kubernetes/client-node";
import { createFront } from "./http.js";
import { watchCluster } from "./kube.js";
import type { ClientIdentity } from "./labels.js";
import { createLoadGenerator, type LoadSpec, type LoadState } from "./load.js";
import { createMesh, type MeshSnapshot, type Outcome, type TrafficCounts, type TrafficTarget } from "./mesh.js";
import type { MeshRequest } from "./route.js";
import type { Clock, MeshObjects } from "./types.js";

export { Annotation } from "./behaviour.js";
export type { LoadSpec, LoadState } from "./load.js";
export type { MeshSnapshot, Outcome, TrafficCounts, TrafficTarget } from "./mesh.js";
export { renderAlertmanagerConfig, renderPrometheusConfig, rulesFilePath } from "./pipeline.js";

/** Options of {@link startSimMesh}. */
export interface SimMeshOptions {
  kubeConfig: KubeConfig;
  /** Port of /metrics and the front (0 = a free one; default 0). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** The simulation clock (fault-after-seconds; give the cluster simulator's clock). Default Date.now. */
  clock?: Clock;
  /** Seed of every random stream (default 1). */
  seed?: number;
  /** Identity of the load generator (source_* labels). */
  client?: ClientIdentity;
  /** "real" (default): startLoad runs on a 100 ms interval; "manual": loads advance only by tick(ms). */
  timers?: "real" | "manual";
  /** How long to wait for the first list of every resource (default 10 s). */
  syncTimeoutMs?: number;
  /** Where watch failures and annotation problems go (default: nowhere). */
  log?: (message: string) => void;
}

/** A running simulated mesh. */
export interface SimMesh {
  /** Base URL of the front (`POST /request`, proxy form). */
  url: string;
  /** `<url>/metrics`. */
  metricsUrl: string;
  port: number;
  /** Sends `count` requests to a host or a service now; returns their counts. */
  generate(target: TrafficTarget & { count: number }): TrafficCounts;
  /** Sends one request. */
  request(req: MeshRequest): Outcome;
  /** Starts a bounded constant-rate load (real timer unless timers: "manual"). */
  startLoad(spec: LoadSpec): LoadState;
  /** Stops every load. */
  stopLoad(): void;
  /** Advances loads by `ms` (manual timers); returns requests sent. */
  tick(ms: number): number;
  /** Counts per destination service and version so far. */
  snapshot(): MeshSnapshot;
  /** The cluster objects as the watches last delivered them. */
  objects(): MeshObjects;
  /** Runs `fn` before every /metrics scrape (e.g. generate one tick of traffic); returns an unsubscribe. */
  onScrape(fn: () => void): () => void;
  close(): Promise<void>;
}

/** Starts the mesh: watches synced, front listening. */
export async function startSimMesh(opts: SimMeshOptions): Promise<SimMesh> {
  const log = opts.log ?? (() => {});
  const clock = opts.clock ?? Date.now;
  const mesh = createMesh({ clock, seed: opts.seed, client: opts.client });
  let reported = new Set<string>();
  const watch = watchCluster(opts.kubeConfig, {
    onChange(objects) {
      mesh.update(objects);
      const now = new Set(mesh.problems());
      for (const p of now) if (!reported.has(p)) log(p);
      reported = now;
    },
    onError: log,
  });
  const timeoutMs = opts.syncTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      watch.synced,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`sim-mesh: the API server at ${opts.kubeConfig.getCurrentCluster()?.server ?? "?"} did not list VirtualServices, DestinationRules, VMIs and Services within ${timeoutMs} ms; check the kubeconfig and that the server runs`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    await watch.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }

  const scrapeHooks = new Set<() => void>();
  const front = createFront({ mesh, beforeScrape: () => { for (const fn of scrapeHooks) fn(); } });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (front.address() as AddressInfo).port;
  const url = `http://${opts.host ?? "127.0.0.1"}:${port}`;

  const loads = createLoadGenerator((t) => mesh.generate(t));
  let interval: NodeJS.Timeout | undefined;
  let last = 0;
  const ensureTimer = () => {
    if (opts.timers === "manual" || interval !== undefined) return;
    last = performance.now();
    interval = setInterval(() => {
      const now = performance.now();
      loads.tick(now - last);
      last = now;
      if (loads.active().length === 0) {
        clearInterval(interval);
        interval = undefined;
      }
    }, 100);
  };

  return {
    url,
    metricsUrl: `${url}/metrics`,
    port,
    generate: (t) => mesh.generate(t),
    request: (r) => mesh.request(r),
    startLoad(spec) {
      const l = loads.start(spec);
      ensureTimer();
      return l;
    },
    stopLoad() {
      loads.stop();
    },
    tick: (ms) => loads.tick(ms),
    snapshot: () => mesh.snapshot(),
    objects: () => mesh.objects(),
    onScrape(fn) {
      scrapeHooks.add(fn);
      return () => scrapeHooks.delete(fn);
    },
    async close() {
      loads.stop();
      clearInterval(interval);
      interval = undefined;
      scrapeHooks.clear();
      await watch.stop();
      await new Promise<void>((resolve) => {
        front.close(() => resolve());
        front.closeAllConnections();
      });
    },
  };
}
