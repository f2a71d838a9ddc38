// Field selector values of an object and the request-level selector filter. Pure.
import { badRequest } from "./status.js";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.js";
import type { FieldRequirement, LabelRequirement } from "./selectors.js";
import type { ResourceType } from "./registry.js";
import type { KubeObject } from "./types.js";

/** Reads a dotted path (`involvedObject.name`) as a string; `source` on events means source.component. */
function readPath(obj: KubeObject, path: string): string {
  const parts = path === "source" ? ["source", "component"] : path.split(".");
  let node: unknown = obj;
  for (const p of parts) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[p] : undefined;
  if (node === undefined || node === null) return "";
  return typeof node === "string" ? node : String(node);
}

/** The field selector values of an object of the given type. */
export function objectFields(type: ResourceType, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = {
    "metadata.name": obj.metadata.name ?? "",
    "metadata.namespace": obj.metadata.namespace ?? "",
  };
  for (const label of type.fieldLabels) fields[label] = readPath(obj, label);
  return fields;
}

/** A parsed label + field selector over one namespace (or all). */
export interface Filter {
  namespace?: string;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

/** Parses selectors, rejecting unknown field labels with 400 like the real server. */
export function makeFilter(type: ResourceType, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Filter {
  try {
    const fields = parseFieldSelector(fieldSelector ?? "");
    const known = new Set(["metadata.name", "metadata.namespace", ...type.fieldLabels]);
    for (const f of fields) {
      if (!known.has(f.field)) throw badRequest(`field label not supported: ${f.field}`);
    }
    const filter: Filter = { labels: parseLabelSelector(labelSelector ?? ""), fields };
    if (namespace !== undefined) filter.namespace = namespace;
    return filter;
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

/** True when the object is in the filter's namespace and satisfies its selectors. */
export function matchesFilter(type: ResourceType, filter: Filter, obj: KubeObject): boolean {
  if (filter.namespace !== undefined && (obj.metadata.namespace ?? "") !== filter.namespace) return false;
  return matchesLabels(obj.metadata.labels, filter.labels) && matchesFields(objectFields(type, obj), filter.fields);
}
