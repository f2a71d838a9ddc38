// Watches over the API: initial ADDED events, replay from a resourceVersion, live changes translated
// through the request's selectors (an object leaving the selection is DELETED, entering it is ADDED),
// and 410 Expired for a resourceVersion older than the retained history.
import { expired, badRequest } from "./status.js";
import { makeFilter, matchesFilter } from "./object-fields.js";
import { resourceKey } from "./api.js";
import type { Api, Target } from "./api.js";
import type { StoredEvent } from "./store.js";
import type { KubeObject, WatchEvent } from "./types.js";

/** Options of a watch request. */
export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** A running watch. */
export interface WatchHandle {
  /** Stops delivering events. */
  stop(): void;
  /** True when the watch ended at once (an ERROR event was sent). */
  readonly ended: boolean;
}

/**
 * Starts a watch; `send` receives events synchronously, in resourceVersion order. For an expired
 * resourceVersion, `send` gets one ERROR event carrying a 410 Status and the watch has `ended`.
 */
export function startWatch(api: Api, t: Target, opts: WatchOptions, send: (ev: WatchEvent) => void): WatchHandle {
  const filter = makeFilter(t.type, t.type.namespaced ? t.namespace : undefined, opts.labelSelector, opts.fieldSelector);
  const key = resourceKey(t.type);
  const matches = (o: KubeObject | undefined): boolean => o !== undefined && matchesFilter(t.type, filter, o);
  const translate = (ev: StoredEvent): void => {
    if (ev.resource !== key) return;
    const now = ev.type !== "DELETED" && matches(ev.object);
    const before = ev.prev !== undefined && matches(ev.prev);
    const object = api.present(t, ev.object);
    if (ev.type === "ADDED" && now) send({ type: "ADDED", object });
    else if (ev.type === "MODIFIED" && now) send({ type: before ? "MODIFIED" : "ADDED", object });
    else if (ev.type === "MODIFIED" && before) send({ type: "DELETED", object });
    else if (ev.type === "DELETED" && before) send({ type: "DELETED", object });
  };

  const rv = opts.resourceVersion ?? "";
  if (rv === "" || rv === "0") {
    for (const o of api.store.list(key, filter.namespace)) if (matches(o)) send({ type: "ADDED", object: api.present(t, o) });
  } else {
    if (!/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
    const events = api.store.since(Number(rv));
    if (events === "expired") {
      const status = expired(`too old resource version: ${rv} (${api.store.oldestWatchableRv() + 1})`).status;
      send({ type: "ERROR", object: status as unknown as Record<string, unknown> });
      return { stop: () => undefined, ended: true };
    }
    for (const ev of events) translate(ev);
  }
  const unsubscribe = api.store.subscribe(translate);
  return { stop: unsubscribe, ended: false };
}
