// The Kubernetes adapter: list+watch (client-node informers) of VirtualServices, DestinationRules,
// VirtualMachineInstances, Services and Pods across namespaces, like Envoy following istiod. Every watch
// event hands the whole current view to `onChange`, so routing follows a weight patch at once.
import { CoreV1Api, CustomObjectsApi, makeInformer, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import type { MeshObjects } from "./types.js";

/** A resource the mesh watches. */
interface Watched {
  key: keyof MeshObjects;
  path: string;
  list: () => Promise<{ items: KubernetesObject[]; metadata?: { resourceVersion?: string } }>;
  /** Pods are optional (identity overrides only): a server without them is fine. */
  optional: boolean;
}

/** Options of {@link watchCluster}. */
export interface WatchOptions {
  onChange(objects: MeshObjects): void;
  /** Called with a message when a watch fails (it is restarted after `retryMs`). */
  onError?(message: string): void;
  /** Delay before restarting a failed watch (default 500 ms). */
  retryMs?: number;
}

/** Running watches. */
export interface ClusterWatch {
  /** Resolves once every resource has been listed once (or found not served). */
  synced: Promise<void>;
  stop(): Promise<void>;
}

function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  const c = typeof e?.code === "number" ? e.code : typeof e?.statusCode === "number" ? e.statusCode : undefined;
  return c;
}

/** Starts the watches; `onChange` gets a fresh {@link MeshObjects} after the first sync and after every event. */
export function watchCluster(kc: KubeConfig, opts: WatchOptions): ClusterWatch {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const crd = (group: string, version: string, plural: string) => () =>
    custom.listClusterCustomObject({ group, version, plural }) as Promise<{ items: KubernetesObject[] }>;
  const resources: Watched[] = [
    { key: "virtualServices", path: "/apis/networking.istio.io/v1beta1/virtualservices", list: crd("networking.istio.io", "v1beta1", "virtualservices"), optional: false },
    { key: "destinationRules", path: "/apis/networking.istio.io/v1beta1/destinationrules", list: crd("networking.istio.io", "v1beta1", "destinationrules"), optional: false },
    { key: "vmis", path: "/apis/kubevirt.io/v1/virtualmachineinstances", list: crd("kubevirt.io", "v1", "virtualmachineinstances"), optional: false },
    { key: "services", path: "/api/v1/services", list: () => core.listServiceForAllNamespaces(), optional: false },
    { key: "pods", path: "/api/v1/pods", list: () => core.listPodForAllNamespaces(), optional: true },
  ];
  const retryMs = opts.retryMs ?? 500;
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set(resources.map((r) => r.key));
  let resolveSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (resolveSynced = resolve));
  const markSynced = (key: keyof MeshObjects) => {
    pending.delete(key);
    if (pending.size === 0) resolveSynced();
  };

  const informers = resources.map((r) => {
    // 404 = the resource is not served (e.g. no Istio CRDs yet): an empty list, and a slower retry.
    let missing = false;
    let listed = false;
    const list = async () => {
      try {
        const l = await r.list();
        missing = false;
        listed = true;
        return { ...l, items: l.items ?? [] };
      } catch (err) {
        if (statusOf(err) === 404) missing = true;
        throw err;
      }
    };
    const informer = makeInformer(kc, r.path, list as never);
    return { r, informer, isMissing: () => missing, isListed: () => listed };
  });

  const snapshot = (): MeshObjects => {
    const out = { virtualServices: [], destinationRules: [], vmis: [], services: [], pods: [] } as MeshObjects;
    for (const { r, informer } of informers) (out[r.key] as unknown[]) = [...informer.list()];
    return out;
  };
  const changed = () => {
    if (!stopped && pending.size === 0) opts.onChange(snapshot());
  };

  for (const e of informers) {
    const { r, informer, isMissing } = e;
    informer.on("add", changed);
    informer.on("update", changed);
    informer.on("delete", changed);
    informer.on("error", (err: unknown) => {
      if (stopped) return;
      const missing = isMissing();
      if (missing) markSynced(r.key);
      if (!missing || !r.optional) {
        opts.onError?.(`watch of ${r.path} failed (${(err as Error)?.message ?? String(err)}); retrying in ${missing ? retryMs * 4 : retryMs} ms`);
      }
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopped) startOne(e);
      }, missing ? retryMs * 4 : retryMs);
      timers.add(t);
    });
  }

  const startOne = (e: (typeof informers)[number]) =>
    void e.informer
      .start()
      .then(() => {
        if (!e.isListed()) return; // the list failed: the error handler retries
        markSynced(e.r.key);
        changed();
      })
      .catch(() => {});
  for (const e of informers) startOne(e);

  return {
    synced,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all(informers.map(({ informer }) => informer.stop().catch(() => {})));
    },
  };
}
