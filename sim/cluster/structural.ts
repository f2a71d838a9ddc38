// A custom resource against its CRD's structural schema, in the API server's order: unknown fields are
// found and pruned, defaults applied, then the OpenAPI bounds and the CEL `x-kubernetes-validations`
// rules checked. Messages follow apiextensions-apiserver (kube-openapi's validate errors turned into
// field errors), so a 422 reads like a real server's. Pure, apart from compiling CEL once per rule.
import { Environment } from "@marcbachmann/cel-js";
import type { FieldError } from "./status.js";
import { isObject } from "./types.js";

type Json = Record<string, unknown>;

/** What the schema did to one object. */
export interface SchemaOutcome {
  /** The object pruned and defaulted. */
  value: Json;
  /** Paths of the fields pruned (`spec.stepz`), for fieldValidation Warn/Strict. */
  unknownFields: string[];
  /** Bounds, types, enums, required fields and CEL rules that failed. */
  errors: FieldError[];
}

// Kubernetes' CEL list library has isSorted(); cel-js does not.
const cel = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false }).registerFunction(
  "list.isSorted(): bool",
  (l: unknown[]) => l.every((v, i) => i === 0 || (l[i - 1] as number) <= (v as number)),
);

const at = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`);
const render = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : typeof v === "object" && v !== null ? JSON.stringify(typeof v) : String(v));
const typeName = (v: unknown): string => (Array.isArray(v) ? "array" : v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v);
const invalid = (field: string, value: unknown, msg: string): FieldError => ({ field, type: "FieldValueInvalid", body: `Invalid value: ${render(value)}: ${msg}` });

function typeMatches(type: unknown, v: unknown): boolean {
  switch (type) {
    case "object":
      return isObject(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    default:
      return true;
  }
}

/** The value as CEL sees it: integers of `type: integer` fields are CEL ints. */
function toCel(schema: Json, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => toCel(isObject(schema.items) ? schema.items : {}, x));
  if (isObject(v)) {
    const props = isObject(schema.properties) ? schema.properties : {};
    const extra = isObject(schema.additionalProperties) ? schema.additionalProperties : {};
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCel(isObject(props[k]) ? props[k] : extra, x)]));
  }
  if (typeof v === "number" && Number.isInteger(v) && (schema.type === "integer" || schema.type === undefined)) return BigInt(v);
  return v;
}

function walk(schema: Json, value: unknown, path: string, out: SchemaOutcome, root: boolean): unknown {
  if (value === null && schema.nullable === true) return value;
  if (schema["x-kubernetes-int-or-string"] === true) {
    if (typeof value !== "string" && !(typeof value === "number" && Number.isInteger(value))) {
      out.errors.push(invalid(path, typeName(value), `${path} in body must be of type integer,string: ${JSON.stringify(typeName(value))}`));
    }
    return value;
  }
  if (schema.type !== undefined && !typeMatches(schema.type, value)) {
    const t = typeName(value);
    out.errors.push(invalid(path, t, `${path} in body must be of type ${String(schema.type)}: ${JSON.stringify(t)}`));
    return value;
  }
  const before = out.errors.length;
  let result = value;
  if (isObject(value)) result = walkObject(schema, value, path, out, root);
  else if (Array.isArray(value)) result = walkArray(schema, value, path, out);
  else scalarBounds(schema, value, path, out);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(result))) {
    out.errors.push({ field: path, type: "FieldValueNotSupported", body: `Unsupported value: ${JSON.stringify(result)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}` });
  }
  // As the API server does, a node's CEL rules run only on a value that passed the OpenAPI schema.
  if (Array.isArray(schema["x-kubernetes-validations"]) && out.errors.length === before) celRules(schema, result, path, out);
  return result;
}

function walkObject(schema: Json, value: Json, path: string, out: SchemaOutcome, root: boolean): Json {
  const props = isObject(schema.properties) ? schema.properties : undefined;
  const extra = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const result: Json = {};
  for (const [k, v] of Object.entries(value)) {
    // apiVersion, kind and metadata of the root are the server's, not the schema's.
    if (root && (k === "apiVersion" || k === "kind" || k === "metadata")) result[k] = v;
    else if (props !== undefined && isObject(props[k])) result[k] = walk(props[k], v, at(path, k), out, false);
    else if (extra !== undefined) result[k] = walk(extra, v, at(path, k), out, false);
    else if (preserve || (props === undefined && schema.additionalProperties === true)) result[k] = v;
    else out.unknownFields.push(at(path, k));
  }
  for (const [k, s] of Object.entries(props ?? {})) {
    if (result[k] === undefined && isObject(s) && s.default !== undefined) result[k] = walk(s, structuredClone(s.default), at(path, k), out, false);
  }
  for (const k of Array.isArray(schema.required) ? (schema.required as string[]) : []) {
    if (result[k] === undefined) out.errors.push({ field: at(path, k), type: "FieldValueRequired", body: "Required value" });
  }
  const n = Object.keys(result).length;
  if (typeof schema.maxProperties === "number" && n > schema.maxProperties) {
    out.errors.push({ field: path, type: "FieldValueTooMany", body: `Too many: ${n}: must have at most ${schema.maxProperties} items` });
  }
  if (typeof schema.minProperties === "number" && n < schema.minProperties) {
    out.errors.push(invalid(path, n, `${path} in body should have at least ${schema.minProperties} properties`));
  }
  return result;
}

function walkArray(schema: Json, value: unknown[], path: string, out: SchemaOutcome): unknown[] {
  const items = isObject(schema.items) ? schema.items : undefined;
  const result = items === undefined ? value : value.map((v, i) => walk(items, v, `${path}[${i}]`, out, false));
  if (typeof schema.minItems === "number" && value.length < schema.minItems) {
    out.errors.push(invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`));
  }
  if (typeof schema.maxItems === "number" && value.length > schema.maxItems) {
    out.errors.push({ field: path, type: "FieldValueTooMany", body: `Too many: ${value.length}: must have at most ${schema.maxItems} items` });
  }
  if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
    out.errors.push({ field: path, type: "FieldValueDuplicate", body: `Duplicate value: ${JSON.stringify("array")}` });
  }
  return result;
}

function scalarBounds(schema: Json, value: unknown, path: string, out: SchemaOutcome): void {
  if (typeof value === "number") {
    const { minimum: min, maximum: max } = schema;
    if (typeof max === "number" && (schema.exclusiveMaximum === true ? value >= max : value > max)) {
      out.errors.push(invalid(path, value, `${path} in body should be less than ${schema.exclusiveMaximum === true ? "" : "or equal to "}${max}`));
    }
    if (typeof min === "number" && (schema.exclusiveMinimum === true ? value <= min : value < min)) {
      out.errors.push(invalid(path, value, `${path} in body should be greater than ${schema.exclusiveMinimum === true ? "" : "or equal to "}${min}`));
    }
  }
  if (typeof value === "string") {
    const chars = [...value].length;
    if (typeof schema.maxLength === "number" && chars > schema.maxLength) {
      out.errors.push({ field: path, type: "FieldValueTooLong", body: `Too long: may not be more than ${schema.maxLength} bytes` });
    }
    if (typeof schema.minLength === "number" && chars < schema.minLength) {
      out.errors.push(invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`));
    }
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
      out.errors.push(invalid(path, value, `${path} in body should match '${schema.pattern}'`));
    }
    if (schema.format === "uri" && !URL.canParse(value)) out.errors.push(invalid(path, value, `${path} in body must be of type uri: ${JSON.stringify(value)}`));
  }
}

function celRules(schema: Json, value: unknown, path: string, out: SchemaOutcome): void {
  for (const rule of (schema["x-kubernetes-validations"] as unknown[]).filter(isObject)) {
    const expr = String(rule.rule ?? "");
    let ok: unknown;
    try {
      ok = cel.evaluate(expr, { self: toCel(schema, value) });
    } catch (err) {
      out.errors.push(invalid(path, typeName(value), `rule compile or evaluation error: ${(err as Error).message}`));
      continue;
    }
    if (ok !== true) {
      const field = typeof rule.fieldPath === "string" ? `${path}${rule.fieldPath}` : path;
      const msg = typeof rule.message === "string" ? rule.message : `failed rule: ${expr}`;
      out.errors.push(invalid(field, typeName(value), msg));
    }
  }
}

/** Whether the CRD version's schema checks anything (a root that preserves every field does not). */
export function isStructural(schema: unknown): schema is Json {
  return isObject(schema) && !(schema["x-kubernetes-preserve-unknown-fields"] === true && schema.properties === undefined);
}

/** Prune, default and validate `obj` against a CRD version's `openAPIV3Schema`. */
export function admit(schema: Json, obj: Json): SchemaOutcome {
  const out: SchemaOutcome = { value: obj, unknownFields: [], errors: [] };
  out.value = walk(schema, obj, "", out, true) as Json;
  return out;
}
