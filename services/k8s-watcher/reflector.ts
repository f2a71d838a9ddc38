// List + watch of one kind with a durable cursor, like client-go's reflector but with the previous
// state handed to the handler: resume from the stored resourceVersion; on 410 Gone relist and diff
// the list against the last known objects (memory, or KV after a restart), so a transition that
// happened while disconnected is reported once and nothing is reported twice. A handler failure
// (JetStream down) stops the watch and resumes from the last fully handled resourceVersion.
import type { KubeObject } from "./kube-types.js";
import type { CursorStore, KubeWatch, WatchEnd, WatchEvent, WatchTarget } from "./ports.js";

/** What the reflector tells the handler about a change. */
export interface ChangeContext {
  /** True during the very first list, when no cursor existed: the objects are old, not new. */
  bootstrap: boolean;
  /** True when the change was found by a relist (diff), not delivered by a watch event. */
  relist: boolean;
}

/** How a kind is handled. */
export interface ReflectorHandler {
  /** One change in order: `prev` undefined = first sight, `next` undefined = deleted. A throw re-syncs. */
  onChange(prev: KubeObject | undefined, next: KubeObject | undefined, ctx: ChangeContext): Promise<void>;
  /** What of an object to remember (memory and KV); default: all of it. */
  compact?(obj: KubeObject): KubeObject;
  /** Whether to remember an object at all (default yes); unremembered objects are re-handled after a relist. */
  keep?(obj: KubeObject): boolean;
}

import type { Log } from "../runtime/ports.js";
export type { Log };

/** Dependencies of {@link createReflector}. */
export interface ReflectorDeps {
  kube: KubeWatch;
  cursors: CursorStore;
  log: Log;
  /** Waits `ms` (tests pass an immediate one). */
  delay(ms: number): Promise<void>;
  /** Backoff after consecutive failures, the last value repeating (default 250 ms → 10 s). */
  backoffMs?: readonly number[];
}

/** A running list + watch of one kind. */
export interface Reflector {
  /** Resolves after the first sync (cursor loaded or list handled, watch opened). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A remembered (compact) object by uid. */
  get(uid: string): KubeObject | undefined;
  /** Every remembered object. */
  values(): KubeObject[];
  /** The resourceVersion handled up to. */
  resourceVersion(): string;
}

const defaultBackoff = [250, 500, 1000, 2000, 5000, 10_000];

function keyOf(obj: KubeObject): string {
  const m = obj.metadata;
  return m?.uid || `${m?.namespace ?? ""}/${m?.name ?? ""}`;
}

function rvOf(obj: KubeObject | undefined): string | undefined {
  return obj?.metadata?.resourceVersion;
}

/** `vmis` or `vmis in shop`, for messages. */
export function targetName(target: WatchTarget): string {
  return target.namespace === undefined ? target.kind : `${target.kind} in ${target.namespace}`;
}

/** Create the reflector of one collection; nothing happens before `start()`. */
export function createReflector(target: WatchTarget, deps: ReflectorDeps, handler: ReflectorHandler): Reflector {
  const kind = targetName(target);
  const compact = handler.compact ?? ((o: KubeObject) => o);
  const keep = handler.keep ?? (() => true);
  const backoff = deps.backoffMs ?? defaultBackoff;
  let known = new Map<string, KubeObject>();
  let rv = "";
  let bootstrap = false;
  let needRelist = false;
  let stopped = false;
  let running: Promise<void> | undefined;
  let stopCurrent: (() => void) | undefined;
  let wake: () => void = () => {};
  const stopSignal = new Promise<void>((r) => (wake = r));

  const remember = (obj: KubeObject) => {
    if (keep(obj)) known.set(keyOf(obj), compact(obj));
    else known.delete(keyOf(obj));
  };

  async function save(): Promise<void> {
    try {
      await deps.cursors.save(target, { resourceVersion: rv, objects: Object.fromEntries(known) });
    } catch (err) {
      // The cursor only shortens a later resync; a stale one repeats work that JetStream de-duplicates.
      deps.log.warn({ kind, err }, `k8s-watcher: saving the ${kind} cursor failed; will retry after the next change`);
    }
  }

  async function relist(): Promise<void> {
    const list = await deps.kube.list(target);
    const ctx: ChangeContext = { bootstrap, relist: true };
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = keyOf(item);
      seen.add(key);
      const prev = known.get(key);
      if (prev !== undefined && rvOf(prev) === rvOf(item)) continue;
      await handler.onChange(prev, item, ctx);
      remember(item);
    }
    for (const [key, prev] of [...known]) {
      if (seen.has(key)) continue;
      await handler.onChange(prev, undefined, ctx);
      known.delete(key);
    }
    rv = list.resourceVersion;
    bootstrap = false;
    await save();
  }

  async function apply(e: WatchEvent): Promise<void> {
    const obj = e.object;
    const ctx: ChangeContext = { bootstrap: false, relist: false };
    if (e.type !== "BOOKMARK") {
      const key = keyOf(obj);
      const prev = known.get(key);
      if (rvOf(prev) !== rvOf(obj)) await handler.onChange(prev, obj, ctx);
      if (e.type === "DELETED") {
        await handler.onChange(compact(obj), undefined, ctx);
        known.delete(key);
      } else {
        remember(obj);
      }
    }
    rv = rvOf(obj) || rv;
  }

  /**
   * One watch session: resolves with how it ended and how many events it delivered, once every
   * delivered event is handled; rejects on a handler failure.
   */
  function watchOnce(opened: () => void): Promise<{ end: WatchEnd; delivered: number }> {
    return new Promise((resolve, reject) => {
      let chain = Promise.resolve();
      let pending = 0;
      let delivered = 0;
      let failed = false;
      let ended = false;
      let handle: { stop(): void } | undefined;
      const onEvent = (e: WatchEvent) => {
        if (failed || ended) return;
        pending++;
        delivered++;
        chain = chain.then(async () => {
          if (failed) return;
          try {
            await apply(e);
          } catch (err) {
            failed = true;
            handle?.stop();
            reject(err);
            return;
          } finally {
            pending--;
          }
          if (pending === 0) await save();
        });
      };
      const onEnd = (end: WatchEnd) => {
        if (ended) return;
        ended = true;
        void chain.then(() => {
          if (!failed) resolve({ end, delivered });
        });
      };
      stopCurrent = () => {
        handle?.stop();
        onEnd({ reason: "closed" });
      };
      deps.kube.watch(target, rv, onEvent, onEnd).then(
        (h) => {
          handle = h;
          if (stopped || failed) h.stop();
          opened();
        },
        (error: unknown) => onEnd({ reason: "error", error }),
      );
    });
  }

  async function loop(synced: () => void, fail: (err: unknown) => void): Promise<void> {
    let failures = 0;
    try {
      const cursor = await deps.cursors.load(target);
      if (cursor !== null && cursor.resourceVersion) {
        rv = cursor.resourceVersion;
        known = new Map(Object.entries(cursor.objects ?? {}));
      } else {
        bootstrap = true;
        needRelist = true;
      }
    } catch (err) {
      fail(err);
      return;
    }
    while (!stopped) {
      try {
        if (needRelist) {
          await relist();
          needRelist = false;
        }
        const { end, delivered } = await watchOnce(synced);
        if (end.reason === "error") throw end.error;
        if (end.reason === "gone") {
          deps.log.info({ kind, resourceVersion: rv }, `k8s-watcher: ${kind} resourceVersion ${rv} expired (410 Gone); relisting`);
          needRelist = true;
        }
        if (delivered > 0) {
          failures = 0;
          continue;
        }
        // A session that ends before delivering anything must not spin: a quiet collection's watch
        // closed by the server waits a moment; a relist that is Gone again at once backs off.
        if (end.reason === "closed") {
          await Promise.race([deps.delay(backoff[0] ?? 250), stopSignal]);
          continue;
        }
        if (failures++ === 0) continue;
        throw new Error(`the ${kind} watch is Gone again right after a relist`);
      } catch (err) {
        if (stopped) break;
        const wait = backoff[Math.min(failures, backoff.length - 1)] ?? 1000;
        failures++;
        deps.log.warn({ kind, err, attempt: failures, retryInMs: wait }, `k8s-watcher: ${kind} list/watch or fact publishing failed; resuming from resourceVersion ${rv || "(none)"} in ${wait} ms`);
        await Promise.race([deps.delay(wait), stopSignal]);
      }
    }
    // Stopped before the first sync: start() must not wait forever.
    synced();
  }

  return {
    start() {
      if (running !== undefined) throw new Error(`k8s-watcher: reflector for ${kind} already started`);
      return new Promise<void>((resolve, reject) => {
        running = loop(resolve, reject);
      });
    },
    async stop() {
      stopped = true;
      wake();
      stopCurrent?.();
      await running;
    },
    get: (uid) => known.get(uid),
    values: () => [...known.values()],
    resourceVersion: () => rv,
  };
}
