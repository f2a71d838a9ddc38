// The API semantics: create/get/list/update/patch/delete with the real server's rules (resourceVersion
// preconditions, generation, status subresource, names, namespaces, dry run, garbage collection).
// HTTP handlers and the KubeVirt controllers both write through here, so watchers see every change.
import { randomUUID } from "node:crypto";
import * as st from "./status.js";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from "./patch.js";
import { validateObjectMeta } from "./validation.js";
import { admit, isStructural } from "./structural.js";
import { makeFilter, matchesFilter } from "./object-fields.js";
import { createStrategies } from "./strategies.js";
import { paginate } from "./paging.js";
import { groupVersion } from "./registry.js";
import { clone, isObject, jsonEqual, toKubeTime } from "./types.js";
import { PatchType } from "./api-types.js";
import { trackManagedFields } from "./managed-fields.js";
import type { Api, DeleteOptions, KubeList, Target, WriteOptions } from "./api-types.js";
import type { Clock, KubeObject } from "./types.js";
import type { Registry, ResourceType } from "./registry.js";
import type { Store } from "./store.js";
import type { Strategy, StrategyContext } from "./strategies.js";

export { PatchType } from "./api-types.js";
export type { Api, DeleteOptions, KubeList, ListOptions, Target, WriteOptions } from "./api-types.js";

/** `plural.group` storage key of a type. */
export const resourceKey = (t: ResourceType): string => `${t.plural}.${t.group}`;
const gr = (t: ResourceType): st.GroupResource => ({ group: t.group, resource: t.plural });
const nsOf = (t: Target): string => (t.type.namespaced ? (t.namespace ?? "") : "");
const GENERATE_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** Builds the API over a store and registry; `clock` stamps creation and deletion times. */
export function createApi(deps: { store: Store; registry: Registry; clock: Clock }): Api {
  const { store, registry, clock } = deps;
  const strategies = createStrategies();
  const strategyOf = (t: ResourceType): Strategy => strategies[resourceKey(t)] ?? {};
  const ctx = (): StrategyContext => ({
    store,
    registry,
    now: clock(),
    deleteAll(type, namespace) {
      for (const o of store.list(resourceKey(type), namespace)) {
        const target: Target = { type, version: type.versions[0] ?? "v1", name: o.metadata.name ?? "" };
        if (o.metadata.namespace) target.namespace = o.metadata.namespace;
        try {
          api.delete(target);
        } catch (err) {
          if (!(err instanceof st.ApiError && err.code === 404)) throw err;
        }
      }
    },
  });

  const present = (t: Target, obj: KubeObject): KubeObject => {
    const out = clone(obj);
    out.apiVersion = groupVersion(t.type.group, t.version);
    out.kind = t.type.kind;
    return out;
  };
  const mustGet = (t: Target): KubeObject => {
    const obj = store.get(resourceKey(t.type), nsOf(t), t.name ?? "");
    if (!obj) throw st.notFound(gr(t.type), t.name ?? "");
    return obj;
  };
  const validate = (t: Target, obj: KubeObject): void => {
    const errs = [...validateObjectMeta(obj.metadata, t.type.nameRule), ...(strategyOf(t.type).validate?.(obj) ?? [])];
    if (errs.length > 0) throw st.invalid(t.type.group, t.type.kind, obj.metadata.name ?? "", errs);
  };
  /** A custom resource through its CRD's structural schema: pruned, defaulted, validated. */
  const admitSchema = (t: Target, obj: KubeObject, opts: WriteOptions): KubeObject => {
    const schema = t.type.builtin ? undefined : t.type.schemas[t.version];
    if (!isStructural(schema)) return obj;
    const r = admit(schema, obj);
    if (r.unknownFields.length > 0) {
      const mode = opts.fieldValidation ?? "Warn";
      if (mode === "Strict") throw st.strictDecoding(t.type.kind, t.version, r.unknownFields);
      if (mode === "Warn") opts.warnings?.push(...r.unknownFields.map((f) => `unknown field "${f}"`));
    }
    if (r.errors.length > 0) throw st.invalid(t.type.group, t.type.kind, obj.metadata.name ?? "", r.errors);
    return r.value as KubeObject;
  };
  const checkTypeMeta = (t: Target, body: Record<string, unknown>): void => {
    const want = groupVersion(t.type.group, t.version);
    if (body.apiVersion !== undefined && body.apiVersion !== want) {
      throw st.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${want})`);
    }
    if (body.kind !== undefined && body.kind !== t.type.kind) {
      throw st.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${t.type.kind})`);
    }
  };
  const bodyObject = (body: unknown): KubeObject => {
    if (!isObject(body)) throw st.badRequest("the body of the request must be a JSON object");
    const obj = clone(body) as KubeObject;
    if (!isObject(obj.metadata)) obj.metadata = {};
    return obj;
  };
  /** Everything but metadata and status: what bumps metadata.generation. */
  const specPart = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  const gc = (owner: KubeObject): void => {
    if (!owner.metadata.uid) return;
    for (const dep of store.dependents(owner.metadata.uid)) {
      const type = registry.all().find((t) => resourceKey(t) === dep.resource);
      if (!type) continue;
      const target: Target = { type, version: type.versions[0] ?? "v1", name: dep.name };
      if (type.namespaced) target.namespace = dep.namespace;
      try {
        api.delete(target, { propagationPolicy: "Background" });
      } catch (err) {
        if (!(err instanceof st.ApiError && err.code === 404)) throw err;
      }
    }
  };
  const removeNow = (t: Target, existing: KubeObject, opts: DeleteOptions): KubeObject => {
    const gone = store.remove(resourceKey(t.type), nsOf(t), existing.metadata.name ?? "") ?? existing;
    if (opts.propagationPolicy !== "Orphan") gc(gone);
    strategyOf(t.type).afterDelete?.(gone, ctx());
    return gone;
  };

  const api: Api = {
    registry,
    store,
    clock,
    present,
    get: (t) => present(t, mustGet(t)),

    list(t, opts = {}) {
      const filter = makeFilter(t.type, t.type.namespaced ? t.namespace : undefined, opts.labelSelector, opts.fieldSelector);
      const rv = String(store.currentRv());
      const all = store.list(resourceKey(t.type), filter.namespace).filter((o) => matchesFilter(t.type, filter, o));
      const page = paginate(all, rv, opts.limit, opts.continue);
      const metadata: KubeList["metadata"] = { resourceVersion: rv };
      if (page.continue !== undefined) metadata.continue = page.continue;
      if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
      const items = page.items;
      return { apiVersion: groupVersion(t.type.group, t.version), kind: t.type.listKind, metadata, items: items.map((o) => present(t, o)) };
    },

    create(t, body, opts = {}) {
      if (t.subresource) throw st.methodNotSupported(gr(t.type), "create");
      let obj = bodyObject(body);
      checkTypeMeta(t, obj);
      const ns = nsOf(t);
      if (t.type.namespaced) {
        if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== "" && obj.metadata.namespace !== ns) {
          throw st.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        obj.metadata.namespace = ns;
      } else delete obj.metadata.namespace;
      if (obj.metadata.resourceVersion) throw st.badRequest("resourceVersion should not be set on objects to be created");
      if (!obj.metadata.name && obj.metadata.generateName) {
        let suffix = "";
        for (let i = 0; i < 5; i++) suffix += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
        obj.metadata.name = `${obj.metadata.generateName}${suffix}`;
      }
      validate(t, obj);
      if (t.type.statusSubresource && !t.type.builtin) delete obj.status;
      obj = admitSchema(t, obj, opts);
      if (t.type.namespaced && !store.get("namespaces.", "", ns)) throw st.notFound({ group: "", resource: "namespaces" }, ns);
      if (store.get(resourceKey(t.type), ns, obj.metadata.name ?? "")) throw st.alreadyExists(gr(t.type), obj.metadata.name ?? "");
      const now = clock();
      obj.apiVersion = groupVersion(t.type.group, t.version);
      obj.kind = t.type.kind;
      obj.metadata.uid = randomUUID();
      obj.metadata.creationTimestamp = toKubeTime(now);
      obj.metadata.generation = 1;
      delete obj.metadata.deletionTimestamp;
      delete obj.metadata.managedFields;
      if (t.type.statusSubresource && !t.type.builtin) delete obj.status;
      strategyOf(t.type).prepareCreate?.(obj, ctx());
      const managed = trackManagedFields(null, obj, opts.fieldManager, obj.apiVersion, now);
      if (managed !== undefined) obj.metadata.managedFields = managed;
      if (opts.dryRun) return present(t, obj);
      const stored = store.put(resourceKey(t.type), obj);
      strategyOf(t.type).afterWrite?.(stored, ctx());
      return present(t, stored);
    },

    update(t, body, opts = {}) {
      const obj = bodyObject(body);
      checkTypeMeta(t, obj);
      const existing = mustGet(t);
      if (obj.metadata.name !== undefined && obj.metadata.name !== t.name) {
        throw st.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${t.name ?? ""})`);
      }
      const sentRv = obj.metadata.resourceVersion;
      if (sentRv !== undefined && sentRv !== "" && sentRv !== existing.metadata.resourceVersion) throw st.conflict(gr(t.type), t.name ?? "");
      if ((sentRv === undefined || sentRv === "") && !t.type.builtin) {
        throw st.invalid(t.type.group, t.type.kind, t.name ?? "", [
          { field: "metadata.resourceVersion", type: "FieldValueInvalid", body: "Invalid value: 0x0: must be specified for an update" },
        ]);
      }
      let next: KubeObject;
      if (t.subresource === "status") {
        next = clone(existing);
        if (obj.status === undefined) delete next.status;
        else next.status = obj.status;
      } else {
        next = obj;
        const keep = ["uid", "creationTimestamp", "namespace", "name", "generation", "deletionTimestamp", "deletionGracePeriodSeconds"] as const;
        for (const k of keep) {
          if (existing.metadata[k] === undefined) delete next.metadata[k];
          else (next.metadata as Record<string, unknown>)[k] = existing.metadata[k];
        }
        delete next.metadata.managedFields;
        if (t.type.statusSubresource) {
          if (existing.status === undefined) delete next.status;
          else next.status = existing.status;
        }
      }
      next.apiVersion = existing.apiVersion;
      next.kind = existing.kind;
      next.metadata.resourceVersion = existing.metadata.resourceVersion ?? "";
      validate(t, next);
      next = admitSchema(t, next, opts);
      strategyOf(t.type).prepareUpdate?.(next, existing, ctx());
      if (!jsonEqual(specPart(next), specPart(existing))) next.metadata.generation = (existing.metadata.generation ?? 0) + 1;
      if (existing.metadata.managedFields === undefined) delete next.metadata.managedFields;
      else next.metadata.managedFields = existing.metadata.managedFields;
      if (jsonEqual(next, existing)) return present(t, existing);
      const managed = trackManagedFields(existing, next, opts.fieldManager, groupVersion(t.type.group, t.version), clock());
      if (managed === undefined) delete next.metadata.managedFields;
      else next.metadata.managedFields = managed;
      if (opts.dryRun) return present(t, next);
      if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
        return present(t, removeNow(t, next, {}));
      }
      const stored = store.put(resourceKey(t.type), next);
      strategyOf(t.type).afterWrite?.(stored, ctx());
      return present(t, stored);
    },

    patch(t, type, patch, opts = {}) {
      const builtinPatchable = t.type.builtin && (t.type.group === "" || !t.type.group.includes(".") || t.type.group.endsWith(".k8s.io")); // Kubernetes API groups (apps, policy, *.k8s.io), not CRD groups
      if (type === PatchType.strategic && !builtinPatchable) {
        throw st.unsupportedMediaType([PatchType.json, PatchType.merge, PatchType.apply]);
      }
      const current = store.get(resourceKey(t.type), nsOf(t), t.name ?? "");
      if (!current) {
        if (type !== PatchType.apply) throw st.notFound(gr(t.type), t.name ?? "");
        const body = bodyObject(patch);
        body.metadata.name ??= t.name ?? "";
        const { subresource: _sub, ...createTarget } = t;
        return api.create(createTarget, body, opts);
      }
      const served = present(t, current);
      let patched: unknown;
      try {
        if (type === PatchType.json) patched = applyJsonPatch(served, patch);
        else if (type === PatchType.strategic) patched = applyStrategicMergePatch(served, patch);
        else patched = applyMergePatch(served, patch);
      } catch (err) {
        if (err instanceof PatchError) throw st.patchUnprocessable(err.message);
        throw err;
      }
      if (!isObject(patched)) throw st.patchUnprocessable("the patch produced a document that is not an object");
      const result = patched as KubeObject;
      if (!isObject(result.metadata)) result.metadata = {};
      result.metadata.resourceVersion ??= current.metadata.resourceVersion ?? "";
      return api.update(t, result, opts);
    },

    delete(t, opts = {}) {
      const existing = mustGet(t);
      const pre = opts.preconditions ?? {};
      if (pre.uid && pre.uid !== existing.metadata.uid) {
        throw st.conflict(gr(t.type), t.name ?? "", `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid ?? ""}`);
      }
      if (pre.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
        throw st.conflict(
          gr(t.type),
          t.name ?? "",
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ""}`,
        );
      }
      if (opts.dryRun) return present(t, existing);
      if ((existing.metadata.finalizers ?? []).length > 0) {
        if (existing.metadata.deletionTimestamp) return present(t, existing);
        existing.metadata.deletionTimestamp = toKubeTime(clock());
        existing.metadata.deletionGracePeriodSeconds = 0;
        return present(t, store.put(resourceKey(t.type), existing));
      }
      return present(t, removeNow(t, existing, opts));
    },

    deleteCollection(t, list, opts = {}) {
      const listed = api.list(t, list);
      const items = listed.items.map((o) => {
        const target: Target = { ...t, name: o.metadata.name ?? "" };
        if (o.metadata.namespace) target.namespace = o.metadata.namespace;
        return api.delete(target, opts);
      });
      return { ...listed, items };
    },
  };
  return api;
}
