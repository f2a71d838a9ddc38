/**
 * What the latency benchmarks watch: VirtualService weights through a client-node watch (as any
 * Kubernetes client sees them), and Siskin's messages on NATS (a core subscription sees each
 * JetStream publish as it is stored), each stamped with `performance.now()` on arrival.
 */
import * as k8s from "@kubernetes/client-node";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";

/** The weights of a VirtualService's first http route, by subset. */
export type Weights = Record<string, number>;

type Waiter = { key: string; test: (w: Weights) => boolean; resolve: (at: number) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** A watch of every VirtualService, with waiters on their weights. */
export interface VsWatch {
  /** Resolves with the arrival time of the first event (or the current state) where `test` holds. */
  until(namespace: string, name: string, test: (w: Weights) => boolean, timeoutMs: number, what: string): Promise<number>;
  stop(): void;
}

function weightsOf(obj: { spec?: { http?: Array<{ route?: Array<{ destination?: { subset?: string }; weight?: number }> }> } }): Weights {
  const out: Weights = {};
  for (const r of obj.spec?.http?.[0]?.route ?? []) out[r.destination?.subset ?? ""] = r.weight ?? 0;
  return out;
}

/** Watch VirtualServices (networking.istio.io/v1) in all namespaces. */
export async function watchVirtualServices(kc: k8s.KubeConfig): Promise<VsWatch> {
  const latest = new Map<string, Weights>();
  const waiters = new Set<Waiter>();
  let stopped = false;
  const check = (key: string, w: Weights, at: number) => {
    for (const x of waiters) {
      if (x.key === key && x.test(w)) {
        clearTimeout(x.timer);
        waiters.delete(x);
        x.resolve(at);
      }
    }
  };
  let req: AbortController | undefined;
  const open = async (): Promise<void> => {
    req = await new k8s.Watch(kc).watch(
      "/apis/networking.istio.io/v1/virtualservices",
      {},
      (_type, obj: { metadata?: { namespace?: string; name?: string } }) => {
        const at = performance.now();
        const key = `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
        const w = weightsOf(obj as Parameters<typeof weightsOf>[0]);
        latest.set(key, w);
        check(key, w, at);
      },
      () => {
        // The simulator ends idle watches now and then; a client re-watches, as informers do.
        if (!stopped) setTimeout(() => void open().catch(() => undefined), 10);
      },
    );
  };
  await open();
  return {
    until(namespace, name, test, timeoutMs, what) {
      const key = `${namespace}/${name}`;
      const now = latest.get(key);
      if (now !== undefined && test(now)) return Promise.resolve(performance.now());
      return new Promise((resolve, reject) => {
        const x: Waiter = {
          key,
          test,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(x);
            reject(new Error(`timed out after ${timeoutMs} ms waiting for VirtualService ${key}: ${what} (last seen ${JSON.stringify(latest.get(key) ?? null)})`));
          }, timeoutMs),
        };
        waiters.add(x);
      });
    },
    stop() {
      stopped = true;
      req?.abort();
      for (const x of waiters) clearTimeout(x.timer);
      waiters.clear();
    },
  };
}

/** Arrival times of messages on a subject, by the envelope's releaseId. */
export interface SubjectTap {
  /** Arrival times of messages of `releaseId` whose data passes `filter` (all when absent). */
  times(releaseId: string): number[];
  /** Resolves with the first arrival (past or future) of a message of `releaseId` whose data passes `test`. */
  next(releaseId: string, test: (data: Record<string, unknown>) => boolean, after: number, timeoutMs: number): Promise<number>;
  stop(): void;
}

/** Subscribe to `subject` (core NATS) and remember when each release's messages arrived. */
export function tapSubject(nc: NatsConnection, subject: string): SubjectTap {
  const seen = new Map<string, Array<{ at: number; data: Record<string, unknown> }>>();
  const listeners = new Set<() => void>();
  const sub: Subscription = nc.subscribe(subject, {
    callback: (_err, m) => {
      const at = performance.now();
      try {
        const env = m.json<{ releaseId?: string; data?: Record<string, unknown> }>();
        const id = env.releaseId ?? "";
        const list = seen.get(id) ?? [];
        list.push({ at, data: env.data ?? {} });
        seen.set(id, list);
        for (const l of listeners) l();
      } catch {
        // not an envelope: not ours
      }
    },
  });
  return {
    times: (releaseId) => (seen.get(releaseId) ?? []).map((e) => e.at),
    next(releaseId, test, after, timeoutMs) {
      return new Promise((resolve, reject) => {
        const find = () => (seen.get(releaseId) ?? []).find((e) => e.at >= after && test(e.data));
        const hit = find();
        if (hit !== undefined) {
          resolve(hit.at);
          return;
        }
        const l = () => {
          const h = find();
          if (h === undefined) return;
          listeners.delete(l);
          clearTimeout(timer);
          resolve(h.at);
        };
        const timer = setTimeout(() => {
          listeners.delete(l);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${subject} of ${releaseId}`));
        }, timeoutMs);
        listeners.add(l);
      });
    },
    stop: () => sub.unsubscribe(),
  };
}
