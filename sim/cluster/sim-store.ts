// A small typed facade over the API layer for tests and scripts: resources named the way kubectl names
// them (`vmi`, `virtualservices.networking.istio.io`), synchronous, same code path as HTTP writes.
import { PatchType } from "./api.js";
import { ApiError, notFound } from "./status.js";
import type { Api, Target } from "./api.js";
import type { ResourceType } from "./registry.js";
import type { KubeObject } from "./types.js";

/** Patch flavours accepted by SimStore.patch. */
export type SimPatchType = "merge" | "json" | "strategic";

/** Test-facing store operations. Errors are ApiError (status.code 404/409/422...). */
export interface SimStore {
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string, opts?: { labelSelector?: string; fieldSelector?: string }): KubeObject[];
  /** Creates an object; its type comes from apiVersion and kind. */
  create(obj: KubeObject): KubeObject;
  /** Creates, or merge-patches an existing object with the given fields. */
  apply(obj: KubeObject): KubeObject;
  /** PUT with the object's resourceVersion (409 when stale). */
  update(obj: KubeObject): KubeObject;
  /** PUT on the status subresource. */
  updateStatus(obj: KubeObject): KubeObject;
  patch(resource: string, namespace: string | undefined, name: string, patch: unknown, type?: SimPatchType): KubeObject;
  delete(resource: string, namespace: string | undefined, name: string): void;
}

/** The facade over an API. */
export function createSimStore(api: Api): SimStore {
  const resolve = (resource: string): ResourceType => {
    const t = api.registry.resolve(resource);
    if (!t) throw new Error(`sim-cluster store: the server doesn't have a resource type "${resource}"; create its CRD first`);
    return t;
  };
  const target = (type: ResourceType, version: string | undefined, namespace: string | undefined, name?: string): Target => {
    const t: Target = { type, version: version ?? type.versions[0] ?? "v1" };
    if (type.namespaced) t.namespace = namespace ?? "default";
    if (name !== undefined) t.name = name;
    return t;
  };
  const typeOf = (obj: KubeObject): { type: ResourceType; version: string } => {
    const [group, version] = obj.apiVersion.includes("/") ? (obj.apiVersion.split("/") as [string, string]) : ["", obj.apiVersion];
    const type = api.registry.all().find((t) => t.group === group && t.kind === obj.kind && t.versions.includes(version));
    if (!type) throw new Error(`sim-cluster store: no resource serves ${obj.apiVersion} ${obj.kind}; create its CRD first`);
    return { type, version };
  };
  const forObject = (obj: KubeObject, withName = true): Target => {
    const { type, version } = typeOf(obj);
    return target(type, version, obj.metadata.namespace, withName ? (obj.metadata.name ?? "") : undefined);
  };
  const patchTypes: Record<SimPatchType, PatchType> = { merge: PatchType.merge, json: PatchType.json, strategic: PatchType.strategic };

  return {
    get(resource, namespace, name) {
      try {
        return api.get(target(resolve(resource), undefined, namespace, name));
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    },
    list: (resource, namespace, opts = {}) => {
      const type = resolve(resource);
      const t: Target = { type, version: type.versions[0] ?? "v1" };
      if (namespace !== undefined && type.namespaced) t.namespace = namespace;
      return api.list(t, opts).items;
    },
    create: (obj) => api.create(forObject(obj, false), obj),
    apply(obj) {
      const t = forObject(obj);
      try {
        api.get(t);
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return api.create(forObject(obj, false), obj);
        throw err;
      }
      const { metadata, ...rest } = obj;
      const { resourceVersion: _rv, ...meta } = metadata;
      return api.patch(t, PatchType.merge, { ...rest, metadata: meta });
    },
    update: (obj) => api.update(forObject(obj), obj),
    updateStatus: (obj) => api.update({ ...forObject(obj), subresource: "status" }, obj),
    patch: (resource, namespace, name, patch, type = "merge") => api.patch(target(resolve(resource), undefined, namespace, name), patchTypes[type], patch),
    delete(resource, namespace, name) {
      const type = resolve(resource);
      const t = target(type, undefined, namespace, name);
      if (!api.store.get(`${type.plural}.${type.group}`, t.namespace ?? "", name)) throw notFound({ group: type.group, resource: type.plural }, name);
      api.delete(t);
    },
  };
}
