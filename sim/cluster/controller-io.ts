// What the KubeVirt controllers use to read and write: thin helpers over the API layer (so every
// controller write is a normal API write, seen by watchers), plus Event recording with aggregation.
import { ApiError } from "./status.js";
import { clone, isObject, jsonEqual, toKubeTime } from "./types.js";
import type { Api, Target } from "./api.js";
import type { KubeObject } from "./types.js";

/** The kinds the controllers touch. */
export const Kind = {
  vm: "virtualmachines.kubevirt.io",
  vmi: "virtualmachineinstances.kubevirt.io",
  vmim: "virtualmachineinstancemigrations.kubevirt.io",
  pod: "pods.",
  event: "events.",
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Event source components, as KubeVirt sets them. */
export const Component = { controller: "virtualmachine-controller", handler: "virt-handler" } as const;
export type Component = (typeof Component)[keyof typeof Component];

/** Controller I/O over the API. */
export interface ControllerIo {
  now(): number;
  get(kind: Kind, namespace: string, name: string): KubeObject | undefined;
  list(kind: Kind, namespace?: string): KubeObject[];
  create(kind: Kind, obj: KubeObject): KubeObject;
  /** Replaces status through the status subresource when it differs; returns the current object. */
  setStatus(kind: Kind, obj: KubeObject, status: Record<string, unknown>): KubeObject;
  /** Applies `mutate` to a copy of metadata and writes it when it differs; returns the current object. */
  setMeta(kind: Kind, obj: KubeObject, mutate: (meta: KubeObject["metadata"]) => void): KubeObject;
  /** Deletes an object; a missing object is not an error. */
  remove(kind: Kind, namespace: string, name: string): void;
  /** Records an Event on an object, aggregating repeats into count/lastTimestamp like client-go's recorder. */
  event(on: KubeObject, type: "Normal" | "Warning", reason: string, message: string, component: Component, host?: string): void;
}

/** Controller I/O for an API. */
export function createControllerIo(api: Api): ControllerIo {
  const target = (kind: Kind, namespace?: string, name?: string): Target => {
    const [plural = "", group = ""] = [kind.slice(0, kind.indexOf(".")), kind.slice(kind.indexOf(".") + 1)];
    const type = api.registry.byGroupResource(group, plural);
    if (!type) throw new Error(`sim-cluster controller: resource ${kind} is not served; register its CRD first`);
    const t: Target = { type, version: type.versions[0] ?? "v1" };
    if (namespace !== undefined && type.namespaced) t.namespace = namespace;
    if (name !== undefined) t.name = name;
    return t;
  };
  const seen = new Map<string, string>();
  let seq = 0;

  const io: ControllerIo = {
    now: () => api.clock(),
    get(kind, namespace, name) {
      const o = api.store.get(kind, namespace, name);
      return o ? api.present(target(kind), o) : undefined;
    },
    list: (kind, namespace) => api.store.list(kind, namespace).map((o) => api.present(target(kind), o)),
    create: (kind, obj) => api.create(target(kind, obj.metadata.namespace), obj),
    setStatus(kind, obj, status) {
      // Controllers own status: write on top of the latest object, never fail on a stale copy.
      const cur = io.get(kind, obj.metadata.namespace ?? "", obj.metadata.name ?? "");
      if (!cur) return obj;
      if (jsonEqual(cur.status, status)) return cur;
      const t = target(kind, cur.metadata.namespace, cur.metadata.name);
      if (t.type.statusSubresource) t.subresource = "status";
      return api.update(t, { ...cur, status: clone(status) });
    },
    setMeta(kind, obj, mutate) {
      const cur = io.get(kind, obj.metadata.namespace ?? "", obj.metadata.name ?? "");
      if (!cur) return obj;
      const meta = clone(cur.metadata);
      mutate(meta);
      if (jsonEqual(meta, cur.metadata)) return cur;
      return api.update(target(kind, cur.metadata.namespace, cur.metadata.name), { ...cur, metadata: meta });
    },
    remove(kind, namespace, name) {
      try {
        api.delete(target(kind, namespace, name), { propagationPolicy: "Background" });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    },
    event(on, type, reason, message, component, host) {
      const ns = on.metadata.namespace ?? "default";
      const key = [on.metadata.uid, type, reason, message, component, host ?? ""].join("\u0000");
      const ts = toKubeTime(api.clock());
      const existingName = seen.get(key);
      const existing = existingName ? api.store.get(Kind.event, ns, existingName) : undefined;
      if (existing && existingName) {
        const count = typeof existing.count === "number" ? existing.count + 1 : 2;
        api.update(target(Kind.event, ns, existingName), { ...existing, count, lastTimestamp: ts });
        return;
      }
      // Like client-go's recorder: <object name>.<hex of the time in nanoseconds>, kept unique by a counter.
      const name = `${on.metadata.name ?? "object"}.${(BigInt(Math.floor(api.clock())) * 1_000_000n + BigInt(seq++)).toString(16)}`;
      const source: Record<string, string> = { component };
      if (host) source.host = host;
      if (!api.store.get("namespaces.", "", ns)) return;
      api.create(target(Kind.event, ns), {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: ns },
        involvedObject: {
          kind: on.kind,
          namespace: ns,
          name: on.metadata.name,
          uid: on.metadata.uid,
          apiVersion: on.apiVersion,
          resourceVersion: on.metadata.resourceVersion,
        },
        reason,
        message,
        source,
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: "",
        reportingInstance: "",
      });
      seen.set(key, name);
    },
  };
  return io;
}

/** A condition of the KubeVirt shape `{type,status,lastProbeTime:null,lastTransitionTime,reason?,message?}`. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastProbeTime: string | null;
  lastTransitionTime: string | null;
  reason?: string;
  message?: string;
}

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
export function setCondition(conditions: unknown, next: Omit<Condition, "lastProbeTime" | "lastTransitionTime">, now: number): Condition[] {
  const list = (Array.isArray(conditions) ? conditions : []).filter(isObject) as unknown as Condition[];
  const old = list.find((c) => c.type === next.type);
  const cond: Condition = {
    type: next.type,
    status: next.status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime : toKubeTime(now),
  };
  if (next.reason) cond.reason = next.reason;
  if (next.message) cond.message = next.message;
  return old ? list.map((c) => (c.type === next.type ? cond : c)) : [...list, cond];
}

/** The status of a condition type, or undefined. */
export function conditionStatus(conditions: unknown, type: string): string | undefined {
  const list = Array.isArray(conditions) ? conditions : [];
  const c = list.find((x) => isObject(x) && x.type === type);
  return isObject(c) ? String(c.status) : undefined;
}
