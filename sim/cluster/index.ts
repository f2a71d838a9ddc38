// Public surface of sim-cluster: a Kubernetes API server simulator with a KubeVirt lifecycle controller.
// `startSimCluster` serves it over HTTP on 127.0.0.1; `createSimCluster` is the same world in-process.
import { writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import type { KubeConfig } from "@kubernetes/client-node";
import { createSimCluster } from "./sim.js";
import { createSimHttp } from "./server.js";
import { kubeConfigFor, kubeconfigYaml } from "./kubeconfig.js";
import { loadDirectory } from "./loader.js";
import type { Api } from "./api.js";
import type { SimStore } from "./sim-store.js";
import type { Clock } from "./types.js";
import { createApiFaults, type ApiFaults } from "./faults.js";

export { createSimCluster } from "./sim.js";
export type { SimCluster, SimClusterOptions } from "./sim.js";
export type { SimStore, SimPatchType } from "./sim-store.js";
export type { KubeObject, Clock } from "./types.js";
export { ApiError } from "./status.js";
export { SIM_PREFIX, SimAnnotation, simDefaults } from "./annotations.js";
export { kubeconfigYaml, kubeConfigFor } from "./kubeconfig.js";
export { loadManifests, parseManifests } from "./loader.js";
export { createApiFaults, noFaults, type ApiFaults, type ApiFaultSettings, type ApiFaultCounts } from "./faults.js";

/** Options of a served simulator. */
export interface StartSimClusterOptions {
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Base clock. When given, time only moves through advance()/tick() (unless tickMs is also given);
   * when absent, a real interval ticks the controller with Date.now.
   */
  clock?: Clock;
  /** Directory of YAML manifests to apply at start. */
  loadDir?: string;
  /** Watch history kept for resourceVersion replays (default 10000 changes). */
  historyLimit?: number;
  /** Real-time tick interval (default 100 ms without a clock; none with a clock). */
  tickMs?: number;
  /** Real-time interval of watch BOOKMARK events for watches that allow them (default 1000 ms; 0 = never). */
  bookmarkMs?: number;
  /** Receives one line per HTTP request (for debugging what clients ask). */
  log?: (line: string) => void;
  /** Receives errors of background reconciles (default: stderr). */
  onError?: (err: unknown) => void;
  /** Seed of the API fault injector (default 1); faults start off and are set through {@link RunningSimCluster.faults}. */
  faultSeed?: number;
}

/** A served simulator. */
export interface RunningSimCluster {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly api: Api;
  readonly store: SimStore;
  now(): number;
  /** Writes a kubeconfig (insecure-skip-tls-verify, token user) for kubectl or client-node. */
  writeKubeconfig(path: string): Promise<void>;
  kubeconfigYaml(): string;
  /** A client-node KubeConfig pointing at the simulator. */
  kubeConfig(): KubeConfig;
  advance(ms: number): void;
  tick(now?: number): void;
  /** Forgets watch history and ends open watches, so clients re-watching from an old resourceVersion get 410 Gone. */
  expireHistory(): void;
  /** Sends a BOOKMARK to every open watch that allowed bookmarks. */
  sendBookmarks(): void;
  /** Ends every open watch stream (clients reconnect). */
  dropWatches(): void;
  /** Open watch streams. */
  watchCount(): number;
  /**
   * API faults, settable at run time (also `PUT /_sim/faults`): 500/503, 409, slow answers. `cutWatches()`
   * and `expire()` end every watch (the latter with a compaction, so re-watches get 410 Gone), counted.
   */
  readonly faults: ApiFaults & { cutWatches(): void; expire(): void };
  close(): Promise<void>;
}

/** Starts the simulator on 127.0.0.1 (by default on a free port). */
export async function startSimCluster(opts: StartSimClusterOptions = {}): Promise<RunningSimCluster> {
  const simOpts: Parameters<typeof createSimCluster>[0] = {};
  if (opts.clock) simOpts.clock = opts.clock;
  if (opts.historyLimit !== undefined) simOpts.historyLimit = opts.historyLimit;
  if (opts.onError) simOpts.onError = opts.onError;
  const sim = createSimCluster(simOpts);
  if (opts.loadDir) {
    await loadDirectory(sim.store, opts.loadDir);
    sim.tick();
  }
  const faults = createApiFaults(opts.faultSeed ?? 1);
  const expire = (): void => {
    sim.expireHistory();
    http.watches.closeAll();
  };
  const http = createSimHttp(sim.api, { faults, expireHistory: expire, ...(opts.log ? { log: opts.log } : {}) });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    http.server.once("error", reject);
    http.server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (http.server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const timers: NodeJS.Timeout[] = [];
  const tickMs = opts.tickMs ?? (opts.clock ? 0 : 100);
  if (tickMs > 0) timers.push(setInterval(() => sim.tickSafely(), tickMs));
  const bookmarkMs = opts.bookmarkMs ?? 1000;
  if (bookmarkMs > 0) timers.push(setInterval(() => http.watches.bookmarkAll(), bookmarkMs));
  for (const t of timers) t.unref();

  return {
    url,
    port,
    api: sim.api,
    store: sim.store,
    now: sim.now,
    writeKubeconfig: (path) => writeFile(path, kubeconfigYaml(url)),
    kubeconfigYaml: () => kubeconfigYaml(url),
    kubeConfig: () => kubeConfigFor(url),
    advance: (ms) => sim.advance(ms),
    tick: (now) => sim.tick(now),
    expireHistory: expire,
    faults: {
      ...faults,
      cutWatches() {
        faults.countWatchCut(http.watches.size());
        http.watches.closeAll();
      },
      expire() {
        expire();
        faults.countGone();
      },
    },
    sendBookmarks: () => http.watches.bookmarkAll(),
    dropWatches: () => http.watches.closeAll(),
    watchCount: () => http.watches.size(),
    async close() {
      for (const t of timers) clearInterval(t);
      sim.dispose();
      http.watches.closeAll();
      await new Promise<void>((resolve) => {
        http.server.close(() => resolve());
        http.server.closeAllConnections();
      });
    },
  };
}
