// The watcher's KV-backed ports: cursors in `Bucket.watchCursors`, the live-release index in
// `Bucket.rollouts` (read only), and facts published through the runtime's publisher.
import { Value } from "typebox/value";
import { RolloutIndexEntry } from "../../schemas/rollout-index.js";
import { rolloutKey } from "../../schemas/subjects.js";
import type { JsonKv } from "../runtime/kv.js";
import type { Publisher } from "../runtime/publish.js";
import type { Cursor, CursorStore, FactSink, ReleaseIndex, WatchTarget } from "./ports.js";
import type { Log } from "./reflector.js";

/** KV key of a collection's cursor: `vmis` (all namespaces) or `vmis.ns.shop`. */
export function cursorKey(target: WatchTarget): string {
  return target.namespace === undefined ? target.kind : `${target.kind}.ns.${target.namespace}`;
}

/** Cursors in a JSON KV bucket. A value that is not a cursor counts as none (a full relist). */
export function createKvCursors(kv: JsonKv, log: Log): CursorStore {
  return {
    async load(target) {
      const e = await kv.get(cursorKey(target));
      const v = e?.value as Cursor | undefined;
      if (v === undefined || typeof v !== "object" || v === null || typeof v.resourceVersion !== "string") {
        if (e !== null) log.warn({ key: cursorKey(target) }, "k8s-watcher: ignoring a malformed watch cursor; relisting");
        return null;
      }
      return v;
    },
    async save(target, cursor) {
      await kv.put(cursorKey(target), cursor);
    },
  };
}

/** The live-release index; an entry that does not match RolloutIndexEntry is treated as absent and logged. */
export function createKvReleaseIndex(kv: JsonKv, log: Log): ReleaseIndex {
  return {
    async get(namespace, rollout) {
      const e = await kv.get(rolloutKey(namespace, rollout));
      if (e === null) return null;
      if (!Value.Check(RolloutIndexEntry, e.value)) {
        log.warn({ namespace, rollout }, "k8s-watcher: the live-release index entry is not a RolloutIndexEntry; skipping the drift check");
        return null;
      }
      return e.value;
    },
  };
}

/** Facts to JetStream: the fact id is the envelope id and msgID. */
export function createFactSink(publisher: Publisher): FactSink {
  return {
    async publish(fact) {
      const r = await publisher.publish(fact.subject, {
        id: fact.id,
        data: fact.data as never,
        ...(fact.releaseId === undefined ? {} : { releaseId: fact.releaseId }),
      });
      return { duplicate: r.duplicate };
    },
  };
}
