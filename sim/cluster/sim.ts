// The simulated cluster without HTTP: store, API, pre-registered CRDs, nodes, namespaces, and the KubeVirt
// controller driven by an injectable clock (tick at a time, or advance a manual clock step by step).
import { createStore } from "./store.js";
import { createRegistry } from "./registry.js";
import { createApi } from "./api.js";
import { createSimStore } from "./sim-store.js";
import { createControllerIo, Kind } from "./controller-io.js";
import { createKubevirtController } from "./kubevirt-controller.js";
import { builtinCrds, defaultNodes, nodeObject } from "./crds.js";
import type { Api } from "./api.js";
import type { SimStore } from "./sim-store.js";
import type { Clock } from "./types.js";

/** Options of the in-process simulator. */
export interface SimClusterOptions {
  /** Base clock; advance() moves the simulator ahead of it. Default Date.now. */
  clock?: Clock;
  /** Watch history kept for resourceVersion replays (default 10000 changes). */
  historyLimit?: number;
  /** Fake node names (default node01..node03). */
  nodes?: readonly string[];
  /** Receives errors of background reconciles (default: written to stderr); explicit tick/advance throw instead. */
  onError?: (err: unknown) => void;
}

/** The in-process simulator. */
export interface SimCluster {
  readonly api: Api;
  readonly store: SimStore;
  /** The simulator's current time (ms). */
  now(): number;
  /** Performs every controller step due at `now` (default: the simulator's time), until nothing changes. */
  tick(now?: number): void;
  /** Moves the simulator clock forward by `ms`, stopping at each due step on the way, and ticks. */
  advance(ms: number): void;
  /** The earliest future time a controller step is due. */
  nextDueAt(): number | undefined;
  /** Forgets watch history; watches from an older resourceVersion get 410 Gone. */
  expireHistory(): void;
  /** tick() for background callers: errors go to onError instead of being thrown. */
  tickSafely(): void;
  /** Stops reacting to changes (pending immediate reconciles are dropped). */
  dispose(): void;
}

const reactiveKinds = new Set<string>([Kind.vm, Kind.vmi, Kind.vmim]);

/** Builds a simulator holding the default namespaces, the nodes and the KubeVirt/Istio/Siskin CRDs. */
export function createSimCluster(opts: SimClusterOptions = {}): SimCluster {
  const base = opts.clock ?? Date.now;
  let offset = 0;
  const clock: Clock = () => base() + offset;
  const store = createStore({ historyLimit: opts.historyLimit ?? 10_000 });
  const api = createApi({ store, registry: createRegistry(), clock });
  const simStore = createSimStore(api);
  const nodes = opts.nodes ?? defaultNodes;

  for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) simStore.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  nodes.forEach((n, i) => simStore.create(nodeObject(n, i)));
  for (const crd of builtinCrds) simStore.create(structuredClone(crd));

  const controller = createKubevirtController(createControllerIo(api), nodes);
  let reconciling = false;
  let scheduled: NodeJS.Immediate | undefined;
  let disposed = false;

  const tick = (now: number = clock()): void => {
    if (reconciling) return;
    reconciling = true;
    try {
      for (let pass = 0; pass < 100; pass++) {
        const before = store.currentRv();
        controller.reconcile(now);
        if (store.currentRv() === before) break;
      }
    } finally {
      reconciling = false;
    }
  };
  const onError = opts.onError ?? ((err: unknown) => process.stderr.write(`sim-cluster: reconcile failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`));
  const tickSafely = (): void => {
    if (disposed) return;
    try {
      tick();
    } catch (err) {
      onError(err);
    }
  };
  // Controllers react to writes at once, like real watch-driven controllers; time-driven steps wait for ticks.
  const unsubscribe = store.subscribe((ev) => {
    if (reconciling || disposed || scheduled || !reactiveKinds.has(ev.resource)) return;
    scheduled = setImmediate(() => {
      scheduled = undefined;
      tickSafely();
    });
  });

  return {
    api,
    store: simStore,
    now: clock,
    tick,
    advance(ms) {
      const target = clock() + ms;
      tick();
      for (let i = 0; i < 100_000; i++) {
        const next = controller.nextDueAt(clock());
        if (next === undefined || next > target) break;
        offset += next - clock();
        tick();
      }
      offset += target - clock();
      tick();
    },
    nextDueAt: () => controller.nextDueAt(clock()),
    expireHistory: () => store.expireHistory(),
    tickSafely,
    dispose() {
      disposed = true;
      unsubscribe();
      if (scheduled) clearImmediate(scheduled);
    },
  };
}
