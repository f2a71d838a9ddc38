/** Composition root of the k8s-watcher: config, NATS, KV cursors, client-node, reflectors, health. */
import { Registry as PromRegistry } from "prom-client";
import { Bucket } from "../../schemas/subjects.js";
import { connectNats, createLogger, createPublisher, openKv, startHealthServer, runIfMain } from "../runtime/index.js";
import { load } from "./config.js";
import { createKubeWatch, loadKubeConfig } from "./kube.js";
import { createFactSink, createKvCursors, createKvReleaseIndex } from "./kv-stores.js";
import { createService } from "./service.js";

const SERVICE = "k8s-watcher";

/** A running watcher. */
export interface RunningWatcher {
  /** Base URL of the health listener (`/healthz`, `/readyz`, `/metrics`). */
  healthUrl: string;
  /** Resolves once every collection is listed (or resumed) and watched. */
  started: Promise<void>;
  stop(): Promise<void>;
}

/** Start the watcher; resolves once the health listener is up (`started` once the watches are). */
export async function main(env: Record<string, string | undefined> = process.env): Promise<RunningWatcher> {
  const cfg = load(env);
  const logger = createLogger({ service: SERVICE, level: cfg.logLevel });
  const nc = await connectNats(cfg.nats, SERVICE);
  const registry = new PromRegistry();
  const log = logger.child({});
  const watcher = createService({
    kube: createKubeWatch(loadKubeConfig(cfg.kubeconfig), { istioApiVersion: cfg.istioApiVersion }),
    facts: createFactSink(createPublisher(nc, { source: SERVICE })),
    cursors: createKvCursors(await openKv(nc, Bucket.watchCursors), log),
    index: createKvReleaseIndex(await openKv(nc, Bucket.rollouts), log),
    log,
    namespaces: cfg.namespaces,
    delay: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  let ready = false;
  const health = await startHealthServer({ host: cfg.http.host, port: cfg.http.port, registry, ready: () => ready && !nc.isClosed() });
  // Not awaited: an unreachable API server must not hold up `siskin serve all`; /readyz tells.
  const started = watcher.start().then(
    () => {
      ready = true;
      logger.info({ namespaces: cfg.namespaces.length > 0 ? cfg.namespaces : "all" }, "k8s-watcher watching");
    },
    (err: unknown) => logger.error({ err }, "k8s-watcher could not start (watch cursors unreadable); /readyz stays false"),
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      ready = false;
      await watcher.stop();
      await nc.drain();
      await health.close();
    })());
  return { healthUrl: health.url, started, stop };
}

runIfMain(import.meta.url, SERVICE, () => main());
