// OpenAPI documents, enough for kubectl: /openapi/v3 (a root listing group-versions, one document per
// group-version whose PATCH operations carry x-kubernetes-group-version-kind and a fieldValidation
// parameter, so `kubectl apply` validates server-side) and a /openapi/v2 fallback. Schemas are permissive
// unless a CRD brings its own openAPIV3Schema.
import { createHash } from "node:crypto";
import { clone, isObject } from "./types.js";
import type { Registry, ResourceType } from "./registry.js";

const meta = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** `io.kubevirt.v1.VirtualMachine`, `io.k8s.api.core.v1.Service`. */
export function schemaName(t: ResourceType, version: string): string {
  const prefix = t.group === "" ? "io.k8s.api.core" : t.group.split(".").reverse().join(".");
  return `${prefix}.${version}.${t.kind}`;
}

function kindSchema(t: ResourceType, version: string): Record<string, unknown> {
  const own = t.schemas[version];
  const base: Record<string, unknown> = isObject(own)
    ? clone(own)
    : { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  const props = isObject(base.properties) ? base.properties : {};
  base.properties = {
    spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    ...props,
    apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation of an object." },
    kind: { type: "string", description: "Kind is a string value representing the REST resource this object represents." },
    metadata: { allOf: [{ $ref: `#/components/schemas/${meta}.ObjectMeta` }], default: {} },
  };
  base["x-kubernetes-group-version-kind"] = [{ group: t.group, version, kind: t.kind }];
  return base;
}

const queryParams = ["dryRun", "fieldManager", "fieldValidation"].map((name) => ({
  name,
  in: "query",
  schema: { type: "string", uniqueItems: true },
}));

function operation(t: ResourceType, version: string, action: string, opId: string, body?: string[]): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${schemaName(t, version)}` };
  const op: Record<string, unknown> = {
    operationId: opId,
    tags: [t.group === "" ? `core_${version}` : `${t.group}_${version}`],
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": { group: t.group, version, kind: t.kind },
    responses: { "200": { description: "OK", content: { "application/json": { schema: ref } } } },
  };
  if (body !== undefined) {
    op.parameters = action === "patch" ? [...queryParams, { name: "force", in: "query", schema: { type: "boolean", uniqueItems: true } }] : queryParams;
    op.requestBody = {
      content: Object.fromEntries(body.map((ct) => [ct, { schema: action === "patch" ? { $ref: `#/components/schemas/${meta}.Patch` } : ref }])),
      required: true,
    };
  }
  return op;
}

/** The OpenAPI v3 document of one group-version, or undefined when nothing is served there. */
export function openapiV3Document(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.all().filter((t) => t.group === group && t.versions.includes(version));
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {
    [`${meta}.ObjectMeta`]: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    [`${meta}.Patch`]: { type: "object" },
    [`${meta}.Status`]: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  };
  // Custom resources take no strategic merge patch; for core types kubectl falls back to its own schemas.
  const patchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];
  for (const t of types) {
    const prefix = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
    const collection = `${prefix}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.plural}`;
    const K = t.kind;
    const pathParams = t.namespaced ? [{ name: "namespace", in: "path", required: true, schema: { type: "string" } }] : [];
    const nameParam = { name: "name", in: "path", required: true, schema: { type: "string" } };
    paths[collection] = {
      get: operation(t, version, "list", `list${K}`),
      post: operation(t, version, "post", `create${K}`, ["application/json", "application/yaml"]),
      delete: operation(t, version, "deletecollection", `deletecollection${K}`),
      parameters: pathParams,
    };
    paths[`${collection}/{name}`] = {
      get: operation(t, version, "get", `read${K}`),
      put: operation(t, version, "put", `replace${K}`, ["application/json", "application/yaml"]),
      patch: operation(t, version, "patch", `patch${K}`, patchTypes),
      delete: operation(t, version, "delete", `delete${K}`),
      parameters: [nameParam, ...pathParams],
    };
    if (t.statusSubresource) {
      paths[`${collection}/{name}/status`] = {
        get: operation(t, version, "get", `read${K}Status`),
        put: operation(t, version, "put", `replace${K}Status`, ["application/json", "application/yaml"]),
        patch: operation(t, version, "patch", `patch${K}Status`, patchTypes),
        parameters: [nameParam, ...pathParams],
      };
    }
    schemas[schemaName(t, version)] = kindSchema(t, version);
    schemas[`${schemaName(t, version)}List`] = {
      type: "object",
      required: ["items"],
      properties: { apiVersion: { type: "string" }, kind: { type: "string" }, items: { type: "array", items: { $ref: `#/components/schemas/${schemaName(t, version)}` } } },
      "x-kubernetes-group-version-kind": [{ group: t.group, version, kind: t.listKind }],
    };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0-sim" }, paths, components: { schemas } };
}

/** Relative path of a group-version's document: `api/v1`, `apis/kubevirt.io/v1`. */
const gvPath = (group: string, version: string): string => (group === "" ? `api/${version}` : `apis/${group}/${version}`);

/** `/openapi/v3`: each group-version with its document's URL (the hash changes when the document does). */
export function openapiV3Root(registry: Registry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const gvs: Array<[string, string]> = [["", "v1"], ...registry.groups().flatMap((g) => g.versions.map((v): [string, string] => [g.name, v]))];
  for (const [group, version] of gvs) {
    const doc = openapiV3Document(registry, group, version);
    if (!doc) continue;
    const h = createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase().slice(0, 128);
    paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${h}` };
  }
  return { paths };
}

/** Parses `/openapi/v3/<rest>` into a group-version. */
export function parseOpenapiV3Path(rest: string): { group: string; version: string } | undefined {
  const parts = rest.split("/").filter((p) => p !== "");
  if (parts[0] === "api" && parts.length === 2) return { group: "", version: parts[1] ?? "" };
  if (parts[0] === "apis" && parts.length === 3) return { group: parts[1] ?? "", version: parts[2] ?? "" };
  return undefined;
}
