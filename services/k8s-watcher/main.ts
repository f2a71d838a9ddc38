/** Composition root of the k8s-watcher: KV cursors, client-node and the reflectors, started by the runtime's startWorker. */
import { Bucket } from "../../schemas/subjects.js";
import { createPublisher, openKv, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { load } from "./config.js";
import { createKubeWatch, createRolloutStatuses, loadKubeConfig } from "./kube.js";
import { createFactSink, createKvCursors, createKvReleaseIndex } from "./kv-stores.js";
import { createService } from "./service.js";

const SERVICE = "k8s-watcher";

/** A running watcher. */
export type RunningWatcher = RunningWorker<{
  /** Resolves once every collection is listed (or resumed) and watched. */
  started: Promise<void>;
}>;

/** Start the watcher; resolves once the health listener is up (`started` once the watches are). */
export function main(env: Env = process.env): Promise<RunningWatcher> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, logger, onStop, readyWhen }) {
      const log = logger.child({});
      const watcher = createService({
        kube: createKubeWatch(loadKubeConfig(cfg.kubeconfig), { istioApiVersion: cfg.istioApiVersion }),
        statuses: createRolloutStatuses(loadKubeConfig(cfg.kubeconfig)),
        facts: createFactSink(createPublisher(nc, { source: SERVICE })),
        cursors: createKvCursors(await openKv(nc, Bucket.watchCursors), log),
        index: createKvReleaseIndex(await openKv(nc, Bucket.rollouts), log),
        log,
        namespaces: cfg.namespaces,
        delay: (ms) => new Promise((r) => setTimeout(r, ms)),
      });
      let watching = false;
      readyWhen(() => watching);
      // Not awaited: an unreachable API server must not hold up `siskin serve all`; /readyz tells.
      const started = watcher.start().then(
        () => {
          watching = true;
          logger.info({ namespaces: cfg.namespaces.length > 0 ? cfg.namespaces : "all" }, "k8s-watcher watching");
        },
        (err: unknown) => logger.error({ err }, "k8s-watcher could not start (watch cursors unreadable); /readyz stays false"),
      );
      onStop(async () => {
        watching = false;
        await watcher.stop();
      });
      return { started };
    },
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
