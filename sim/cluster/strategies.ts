// Per-type behaviour of the API layer: defaulting, extra validation and side effects, in the spirit of
// the apiserver's registry strategies (and of KubeVirt's admission webhook for migrations).
import { ApiError, type FieldError } from "./status.js";
import { isObject, toKubeTime } from "./types.js";
import type { KubeObject } from "./types.js";
import type { Registry, ResourceType } from "./registry.js";
import type { Store } from "./store.js";

/** What a strategy may use: storage, types, the time, and deletion through the API (for cascades). */
export interface StrategyContext {
  store: Store;
  registry: Registry;
  now: number;
  /** Deletes every object of a type (optionally in one namespace) through the API, with events and GC. */
  deleteAll(type: ResourceType, namespace?: string): void;
}

/** Hooks for one type, all optional. */
export interface Strategy {
  /** Defaults and admission for a new object; may throw ApiError. */
  prepareCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** Adjusts an update before it is stored. */
  prepareUpdate?(next: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  /** Field errors beyond metadata. */
  validate?(obj: KubeObject): FieldError[];
  /** Runs after the object was stored (create or update). */
  afterWrite?(obj: KubeObject, ctx: StrategyContext): void;
  /** Runs after the object was removed. */
  afterDelete?(obj: KubeObject, ctx: StrategyContext): void;
}

const spec = (obj: KubeObject): Record<string, unknown> => {
  if (!isObject(obj.spec)) obj.spec = {};
  return obj.spec as Record<string, unknown>;
};

function crdStatus(obj: KubeObject, now: number): Record<string, unknown> {
  const s = spec(obj);
  const versions = (Array.isArray(s.versions) ? s.versions : []).filter(isObject);
  const t = toKubeTime(now);
  return {
    acceptedNames: s.names ?? {},
    conditions: [
      { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found", lastTransitionTime: t },
      { type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted", lastTransitionTime: t },
    ],
    storedVersions: versions.filter((v) => v.storage === true).map((v) => String(v.name)),
  };
}

function validateCrd(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const names = isObject(s.names) ? s.names : {};
  const errs: FieldError[] = [];
  const expected = `${String(names.plural ?? "")}.${String(s.group ?? "")}`;
  if (obj.metadata.name !== expected) {
    errs.push({
      field: "metadata.name",
      type: "FieldValueInvalid",
      body: `Invalid value: ${JSON.stringify(obj.metadata.name ?? "")}: must be spec.names.plural+"."+spec.group`,
    });
  }
  if (typeof names.kind !== "string" || names.kind === "") {
    errs.push({ field: "spec.names.kind", type: "FieldValueRequired", body: "Required value" });
  }
  const versions = (Array.isArray(s.versions) ? s.versions : []).filter(isObject);
  if (versions.length === 0) errs.push({ field: "spec.versions", type: "FieldValueRequired", body: "Required value: must have exactly one version marked as storage version" });
  else if (versions.filter((v) => v.storage === true).length !== 1) {
    errs.push({
      field: "spec.versions",
      type: "FieldValueInvalid",
      body: `Invalid value: ${JSON.stringify(versions.map((v) => ({ name: v.name, storage: v.storage ?? false })))}: must have exactly one version marked as storage version`,
    });
  }
  if (s.scope !== "Namespaced" && s.scope !== "Cluster") {
    errs.push({ field: "spec.scope", type: "FieldValueNotSupported", body: `Unsupported value: ${JSON.stringify(s.scope ?? "")}: supported values: "Cluster", "Namespaced"` });
  }
  return errs;
}

function defaultService(s: Record<string, unknown>): void {
  s.type ??= "ClusterIP";
  s.sessionAffinity ??= "None";
  if (s.clusterIPs === undefined && s.clusterIP !== undefined) s.clusterIPs = [s.clusterIP];
  s.ipFamilies ??= ["IPv4"];
  s.ipFamilyPolicy ??= "SingleStack";
  s.internalTrafficPolicy ??= "Cluster";
  if (Array.isArray(s.ports)) {
    for (const p of s.ports.filter(isObject)) {
      p.protocol ??= "TCP";
      p.targetPort ??= p.port;
    }
  }
}

/** 422 as an admission webhook denial, the way KubeVirt's migration-create-validator answers. */
function webhookDenied(webhook: string, message: string): ApiError {
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `admission webhook "${webhook}" denied the request: ${message}`,
    reason: "Invalid",
    details: { causes: [{ message }] },
    code: 422,
  });
}

/** The strategies, keyed by `plural.group` (core: `plural.`). */
export function createStrategies(): Record<string, Strategy> {
  let nextClusterIp = 10;
  return {
    "namespaces.": {
      prepareCreate(obj) {
        obj.metadata.labels = { ...obj.metadata.labels, "kubernetes.io/metadata.name": obj.metadata.name ?? "" };
        obj.spec = { finalizers: ["kubernetes"], ...(isObject(obj.spec) ? obj.spec : {}) };
        obj.status = { phase: "Active" };
      },
      afterDelete(obj, ctx) {
        for (const t of ctx.registry.all()) if (t.namespaced) ctx.deleteAll(t, obj.metadata.name);
      },
    },
    "services.": {
      prepareCreate(obj) {
        const s = spec(obj);
        if (s.clusterIP === undefined) {
          const n = nextClusterIp++;
          s.clusterIP = `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
        }
        defaultService(s);
        obj.status = { loadBalancer: {} };
      },
      prepareUpdate(next, old) {
        // Allocated fields survive an update that omits them; defaults apply on every write, as in the real server.
        const s = spec(next);
        const o = spec(old);
        for (const k of ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"]) if (s[k] === undefined && o[k] !== undefined) s[k] = o[k];
        defaultService(s);
      },
    },
    "pods.": {
      prepareCreate(obj) {
        if (!isObject(obj.status)) obj.status = { phase: "Pending" };
      },
    },
    "customresourcedefinitions.apiextensions.k8s.io": {
      validate: validateCrd,
      prepareCreate(obj, ctx) {
        obj.status = crdStatus(obj, ctx.now);
      },
      prepareUpdate(next, old, ctx) {
        const status = crdStatus(next, ctx.now);
        const oldStatus = isObject(old.status) ? old.status : {};
        // Keep the original transition times; only names and stored versions follow the spec.
        next.status = { ...status, conditions: oldStatus.conditions ?? status.conditions };
      },
      afterWrite(obj, ctx) {
        ctx.registry.upsertCrd(obj);
      },
      afterDelete(obj, ctx) {
        const s = spec(obj);
        const names = isObject(s.names) ? s.names : {};
        const type = ctx.registry.byGroupResource(String(s.group ?? ""), String(names.plural ?? ""));
        if (type && !type.builtin) ctx.deleteAll(type);
        ctx.registry.removeCrd(obj);
      },
    },
    "virtualmachineinstancemigrations.kubevirt.io": {
      prepareCreate(obj, ctx) {
        const vmiName = String(spec(obj).vmiName ?? "");
        const ns = obj.metadata.namespace ?? "";
        const webhook = "migration-create-validator.kubevirt.io";
        if (vmiName === "") throw webhookDenied(webhook, "spec.vmiName is required");
        const vmi = ctx.store.get("virtualmachineinstances.kubevirt.io", ns, vmiName);
        if (!vmi) throw webhookDenied(webhook, `the VMI "${ns}/${vmiName}" does not exist under the cache`);
        const status = isObject(vmi.status) ? vmi.status : {};
        if (status.phase !== "Running") throw webhookDenied(webhook, `Cannot migrate VMI, the VMI "${ns}/${vmiName}" is not running`);
        const active = ctx.store
          .list("virtualmachineinstancemigrations.kubevirt.io", ns)
          .find((m) => isObject(m.spec) && m.spec.vmiName === vmiName && !["Succeeded", "Failed"].includes(String(isObject(m.status) ? m.status.phase : "")));
        if (active) {
          throw webhookDenied(
            webhook,
            `in-flight migration detected. Active migration job (${active.metadata.uid ?? ""}) is currently already in progress for VMI ${vmiName}.`,
          );
        }
      },
    },
  };
}
