// Test support: an in-memory KubeWatch with resourceVersion history, 410 Gone and dropped
// connections, plus an in-memory cursor store, release index and a de-duplicating fact sink
// (as JetStream's duplicate window does).
import type { RolloutIndexEntry } from "../../schemas/rollout-index.js";
import type { Fact } from "./evaluate.js";
import type { KubeObject } from "./kube-types.js";
import type { RolloutObject } from "./kube-types.js";
import { WatchedKind as Kinds } from "./ports.js";
import type { Cursor, CursorStore, FactSink, KubeWatch, ReleaseIndex, RolloutStatuses, WatchedKind, WatchEnd, WatchEvent, WatchTarget } from "./ports.js";

interface Session {
  kind: WatchedKind;
  onEvent: (e: WatchEvent) => void;
  onEnd: (end: WatchEnd) => void;
  open: boolean;
}

/** An in-memory API server for the watcher's kinds. */
export function createFakeKube() {
  let rv = 0;
  const objects = new Map<WatchedKind, Map<string, KubeObject>>();
  const history: Array<{ kind: WatchedKind; rv: number; event: WatchEvent }> = [];
  let expiredBefore = 0;
  const sessions: Session[] = [];
  const calls: Array<{ op: "list" | "watch"; kind: WatchedKind; resourceVersion?: string }> = [];

  const bucket = (kind: WatchedKind) => {
    let m = objects.get(kind);
    if (m === undefined) objects.set(kind, (m = new Map()));
    return m;
  };

  function emit(kind: WatchedKind, event: WatchEvent, n: number): void {
    history.push({ kind, rv: n, event });
    for (const s of sessions) if (s.open && s.kind === kind) s.onEvent(structuredClone(event));
  }

  const kube: KubeWatch = {
    async list({ kind }) {
      calls.push({ op: "list", kind });
      return { items: [...bucket(kind).values()].map((o) => structuredClone(o)), resourceVersion: String(rv) };
    },
    async watch({ kind }, resourceVersion, onEvent, onEnd) {
      calls.push({ op: "watch", kind, resourceVersion });
      const from = Number(resourceVersion);
      const session: Session = { kind, onEvent, onEnd, open: true };
      if (from < expiredBefore) {
        session.open = false;
        onEnd({ reason: "gone" });
        return { stop() {} };
      }
      sessions.push(session);
      for (const h of history) if (h.kind === kind && h.rv > from) onEvent(structuredClone(h.event));
      return {
        stop() {
          session.open = false;
        },
      };
    },
  };

  const rolloutBy = (namespace: string, name: string) =>
    [...bucket(Kinds.rollouts).values()].find((o) => o.metadata?.namespace === namespace && o.metadata?.name === name) as RolloutObject | undefined;
  /** VMRollout status writes, with the API server's resourceVersion check. */
  const statuses: RolloutStatuses & { writes: number } = {
    writes: 0,
    async get(namespace, name) {
      const o = rolloutBy(namespace, name);
      return o === undefined ? null : structuredClone(o);
    },
    async replaceStatus(obj, status) {
      const stored = rolloutBy(obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
      if (stored === undefined || stored.metadata?.resourceVersion !== obj.metadata?.resourceVersion) return "conflict";
      statuses.writes++;
      api.put(Kinds.rollouts, { ...stored, status: structuredClone(status) });
      return "written";
    },
  };

  const api = {
    kube,
    calls,
    statuses,
    /** Create or replace an object (new resourceVersion); returns the stored copy. */
    put(kind: WatchedKind, obj: KubeObject): KubeObject {
      const n = ++rv;
      const stored = structuredClone(obj);
      stored.metadata = { ...stored.metadata, resourceVersion: String(n) };
      const key = stored.metadata.uid ?? "";
      const type = bucket(kind).has(key) ? "MODIFIED" : "ADDED";
      bucket(kind).set(key, stored);
      emit(kind, { type, object: stored }, n);
      return stored;
    },
    remove(kind: WatchedKind, uid: string): void {
      const obj = bucket(kind).get(uid);
      if (obj === undefined) return;
      bucket(kind).delete(uid);
      const n = ++rv;
      emit(kind, { type: "DELETED", object: { ...obj, metadata: { ...obj.metadata, resourceVersion: String(n) } } }, n);
    },
    /** Forget all history (a compaction): every open watch ends with 410 and old resourceVersions are gone. */
    expireHistory(): void {
      expiredBefore = rv;
      history.length = 0;
      for (const s of sessions.splice(0)) {
        if (!s.open) continue;
        s.open = false;
        s.onEnd({ reason: "gone" });
      }
    },
    /** Drop every open watch connection (as a restarted API server does). */
    dropConnections(): void {
      for (const s of sessions.splice(0)) {
        if (!s.open) continue;
        s.open = false;
        s.onEnd({ reason: "closed" });
      }
    },
    /** Changes made while nobody watches (no history kept), e.g. while the watcher is down. */
    silently(fn: () => void): void {
      const open = sessions.filter((s) => s.open);
      for (const s of open) s.open = false;
      fn();
      for (const s of open) s.open = true;
    },
    openWatches: () => sessions.filter((s) => s.open).length,
  };
  return api;
}

/** Cursor store in memory (survives a watcher restart within a test). */
export function createMemoryCursors(): CursorStore & { data: Map<string, Cursor> } {
  const data = new Map<string, Cursor>();
  const key = (t: WatchTarget) => `${t.kind}.${t.namespace ?? ""}`;
  return {
    data,
    async load(target) {
      const c = data.get(key(target));
      return c === undefined ? null : structuredClone(c);
    },
    async save(target, cursor) {
      data.set(key(target), structuredClone(cursor));
    },
  };
}

/** A fact sink that keeps one copy per id, as JetStream's duplicate window does; `failNext` simulates an outage. */
export function createFactLog(): FactSink & { facts: Fact[]; attempts: number; failNext: number } {
  const seen = new Set<string>();
  const log = {
    facts: [] as Fact[],
    attempts: 0,
    failNext: 0,
    async publish(fact: Fact) {
      log.attempts++;
      if (log.failNext > 0) {
        log.failNext--;
        throw new Error("nats: no responders (JetStream unavailable)");
      }
      if (seen.has(fact.id)) return { duplicate: true };
      seen.add(fact.id);
      log.facts.push(fact);
      return { duplicate: false };
    },
  };
  return log;
}

/** Release index in memory. */
export function createMemoryIndex(entries: Record<string, RolloutIndexEntry> = {}): ReleaseIndex & { entries: Record<string, RolloutIndexEntry> } {
  return {
    entries,
    async get(namespace, rollout) {
      return entries[`${namespace}/${rollout}`] ?? null;
    },
  };
}

/** A logger that records nothing. */
export { silentLog as quietLog } from "../runtime/ports.js";
