// Object storage: one resourceVersion counter for the whole store, a bounded history of changes for
// watches, and synchronous change listeners. Objects are kept in their storage form; the API layer
// converts apiVersion on the way out.
import { clone } from "./types.js";
import type { KubeObject } from "./types.js";

/** A stored change, as history keeps it. */
export interface StoredEvent {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  /** `plural.group` of the object's type. */
  resource: string;
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  prev?: KubeObject;
}

/** Low-level storage used by the API layer; never by HTTP handlers or controllers directly. */
export interface Store {
  /** The resourceVersion of the latest write. */
  currentRv(): number;
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  /** Objects of a type, in one namespace or all, ordered by namespace then name. */
  list(resource: string, namespace?: string): KubeObject[];
  /** Objects (of any type) whose ownerReferences name this uid. */
  dependents(uid: string): Array<{ resource: string; namespace: string; name: string }>;
  /** Stores an object under a new resourceVersion and notifies listeners; returns the stored copy. */
  put(resource: string, obj: KubeObject): KubeObject;
  /** Removes an object; the DELETED event carries a new resourceVersion. */
  remove(resource: string, namespace: string, name: string): KubeObject | undefined;
  /** Changes after `rv`, or "expired" when history no longer reaches back that far. */
  since(rv: number): StoredEvent[] | "expired";
  /** The oldest resourceVersion a watch may still start from. */
  oldestWatchableRv(): number;
  /**
   * Forgets all history, like an etcd compaction past the latest write: the resourceVersion moves one
   * step on, so a watch from any resourceVersion a client holds gets 410 Gone; a fresh list is watchable.
   */
  expireHistory(): void;
  subscribe(listener: (ev: StoredEvent) => void): () => void;
}

/** An in-memory store keeping at most `historyLimit` changes for watches. */
export function createStore(opts: { historyLimit?: number } = {}): Store {
  const historyLimit = Math.max(1, opts.historyLimit ?? 10_000);
  const objects = new Map<string, Map<string, KubeObject>>();
  const history: StoredEvent[] = [];
  const listeners = new Set<(ev: StoredEvent) => void>();
  let rv = 0;
  /** Every change with a resourceVersion above this one is still in history. */
  let compactedRv = 0;

  const bucket = (resource: string): Map<string, KubeObject> => {
    let b = objects.get(resource);
    if (!b) {
      b = new Map();
      objects.set(resource, b);
    }
    return b;
  };
  const record = (ev: StoredEvent): void => {
    history.push(ev);
    while (history.length > historyLimit) {
      const dropped = history.shift();
      if (dropped) compactedRv = dropped.rv;
    }
    for (const l of [...listeners]) l(ev);
  };

  return {
    currentRv: () => rv,
    get: (resource, namespace, name) => {
      const o = objects.get(resource)?.get(`${namespace}/${name}`);
      return o === undefined ? undefined : clone(o);
    },
    list(resource, namespace) {
      const b = objects.get(resource);
      if (!b) return [];
      return [...b.entries()]
        .filter(([, o]) => namespace === undefined || (o.metadata.namespace ?? "") === namespace)
        .sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))
        .map(([, o]) => clone(o));
    },
    dependents(uid) {
      const out: Array<{ resource: string; namespace: string; name: string }> = [];
      for (const [resource, b] of objects) {
        for (const o of b.values()) {
          if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ resource, namespace: o.metadata.namespace ?? "", name: o.metadata.name ?? "" });
        }
      }
      return out;
    },
    put(resource, obj) {
      const key = `${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`;
      const b = bucket(resource);
      const prev = b.get(key);
      rv++;
      const stored = clone(obj);
      stored.metadata.resourceVersion = String(rv);
      b.set(key, stored);
      const ev: StoredEvent = { rv, type: prev ? "MODIFIED" : "ADDED", resource, object: clone(stored) };
      if (prev) ev.prev = clone(prev);
      record(ev);
      return clone(stored);
    },
    remove(resource, namespace, name) {
      const b = objects.get(resource);
      const prev = b?.get(`${namespace}/${name}`);
      if (!b || !prev) return undefined;
      b.delete(`${namespace}/${name}`);
      rv++;
      const gone = clone(prev);
      gone.metadata.resourceVersion = String(rv);
      record({ rv, type: "DELETED", resource, object: clone(gone), prev: clone(prev) });
      return gone;
    },
    since(from) {
      if (from < compactedRv) return "expired";
      return history.filter((e) => e.rv > from).map((e) => ({ ...e }));
    },
    oldestWatchableRv: () => compactedRv,
    expireHistory() {
      history.length = 0;
      rv++;
      compactedRv = rv;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
