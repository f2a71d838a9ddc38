/**
 * Validate an object against a CRD version's structural `openAPIV3Schema` as the API server does
 * with `fieldValidation=Strict`: wrong types, bounds, patterns and enums are errors, and so is an
 * unknown field (outside `x-kubernetes-preserve-unknown-fields`). Errors name the field by its
 * Kubernetes path, e.g. `spec.steps[0].weight`.
 */
import { Value } from "typebox/value";

type Json = Record<string, unknown>;

/**
 * The JSON Schema equivalent of a structural schema: `nullable` → a null alternative, boolean
 * `exclusiveMinimum`/`exclusiveMaximum` → numeric, objects with `properties` closed unless they
 * preserve unknown fields, `x-kubernetes-*` extensions dropped.
 */
export function structuralToJsonSchema(schema: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith("x-kubernetes-") || k === "nullable") continue;
    if (k === "properties") out.properties = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, structuralToJsonSchema(s as Json)]));
    else if (k === "items" || (k === "additionalProperties" && typeof v === "object")) out[k] = structuralToJsonSchema(v as Json);
    else out[k] = v;
  }
  for (const [flag, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
    if (out[flag] === true) {
      out[flag] = out[bound];
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  if (out.properties !== undefined && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  if (schema.nullable === true) return { anyOf: [out, { type: "null" }] };
  return out;
}

/** `/spec/steps/0/weight` → `spec.steps[0].weight`. */
export function kubePath(pointer: string, extra?: string): string {
  const segs = pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra !== undefined) segs.push(extra);
  return segs.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc === "" ? s : `${acc}.${s}`), "");
}

/** The validator of one served version of a CustomResourceDefinition object. */
export function crdValidator(crd: Json, version: string): (obj: unknown) => string[] {
  const versions = ((crd.spec as Json | undefined)?.versions ?? []) as Json[];
  const v = versions.find((x) => x.name === version);
  const schema = (v?.schema as Json | undefined)?.openAPIV3Schema as Json | undefined;
  if (schema === undefined) throw new Error(`CRD ${String((crd.metadata as Json | undefined)?.name)} has no openAPIV3Schema for version ${version}`);
  const json = structuralToJsonSchema(schema);
  return (obj) => {
    const errors: string[] = [];
    for (const e of Value.Errors(json, obj)) {
      // A closed object reports each unknown field twice (the field's `false` schema and the object).
      if (e.keyword === "boolean") continue;
      if (e.keyword === "additionalProperties") {
        for (const name of (e.params as { additionalProperties: string[] }).additionalProperties) {
          errors.push(`${kubePath(e.instancePath, name)}: unknown field "${name}"`);
        }
        continue;
      }
      if (/\/anyOf\/\d+/.test(e.schemaPath)) continue;
      errors.push(`${kubePath(e.instancePath) || "<root>"}: ${e.message}`);
    }
    return [...new Set(errors)];
  };
}
