// JSON merge patch (RFC 7386), JSON patch (RFC 6902, with `test`) and a strategic merge patch good enough
// for what kubectl sends for built-in types. Pure: every function returns a new value.
import { clone, isObject, jsonEqual } from "./types.js";

/** A patch that cannot be applied; `testFailed` marks a failed RFC 6902 `test` operation. */
export class PatchError extends Error {
  readonly testFailed: boolean;
  constructor(message: string, testFailed = false) {
    super(message);
    this.name = "PatchError";
    this.testFailed = testFailed;
  }
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else (arrays included) replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`invalid JSON pointer "${pointer}": must start with '/'`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

/** Walks to the parent of the pointer's last token. */
function parentOf(doc: unknown, tokens: string[], op: string, pointer: string): { parent: Container; key: string } {
  let node: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length - 1, pointer)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else node = undefined;
    if (node === undefined) throw new PatchError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  }
  if (!Array.isArray(node) && !isObject(node)) {
    throw new PatchError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  }
  return { parent: node, key: tokens[tokens.length - 1] ?? "" };
}

function arrayIndex(token: string, max: number, pointer: string): number {
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new PatchError(`invalid array index "${token}" in "${pointer}"`);
  const i = Number(token);
  if (i > max) throw new PatchError(`index out of bounds in "${pointer}": ${i} > ${max}`);
  return i;
}

function getAt(doc: unknown, pointer: string, op: string): unknown {
  let node: unknown = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length - 1, pointer)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new PatchError(`${op} operation does not apply: doc is missing key: ${pointer}: missing value`);
  }
  return node;
}

function addAt(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return clone(value);
  const { parent, key } = parentOf(doc, tokens, "add", pointer);
  if (Array.isArray(parent)) {
    const i = key === "-" ? parent.length : arrayIndex(key, parent.length, pointer);
    parent.splice(i, 0, clone(value));
  } else parent[key] = clone(value);
  return doc;
}

function removeAt(doc: unknown, pointer: string, op = "remove"): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError(`${op} operation does not apply: cannot remove the whole document`);
  const { parent, key } = parentOf(doc, tokens, op, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length - 1, pointer), 1);
  else {
    if (!Object.hasOwn(parent, key)) throw new PatchError(`Unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
  return doc;
}

/** RFC 6902. Throws PatchError; `testFailed` is set when a `test` operation does not hold. */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let doc: unknown = clone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw new PatchError(`invalid JSON patch operation: ${JSON.stringify(raw)}`);
    }
    const op = raw as unknown as JsonPatchOp;
    switch (op.op) {
      case "add":
        doc = addAt(doc, op.path, op.value);
        break;
      case "remove":
        doc = removeAt(doc, op.path);
        break;
      case "replace":
        getAt(doc, op.path, "replace");
        doc = removeAt(doc, op.path, "replace");
        doc = addAt(doc, op.path, op.value);
        break;
      case "move": {
        const value = getAt(doc, op.from ?? "", "move");
        doc = removeAt(doc, op.from ?? "", "move");
        doc = addAt(doc, op.path, value);
        break;
      }
      case "copy":
        doc = addAt(doc, op.path, getAt(doc, op.from ?? "", "copy"));
        break;
      case "test": {
        let actual: unknown;
        try {
          actual = getAt(doc, op.path, "test");
        } catch {
          throw new PatchError(`testing value ${op.path} failed: test failed`, true);
        }
        if (!jsonEqual(actual, op.value ?? null)) throw new PatchError(`testing value ${op.path} failed: test failed`, true);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${String((raw as { op: unknown }).op)}`);
    }
  }
  return doc;
}

/** Merge keys of the list fields of built-in types (the `patchMergeKey` struct tags that matter here). */
const mergeKeys: Record<string, string[]> = {
  containers: ["name"],
  initContainers: ["name"],
  ephemeralContainers: ["name"],
  env: ["name"],
  volumes: ["name"],
  volumeMounts: ["mountPath"],
  conditions: ["type"],
  imagePullSecrets: ["name"],
  ownerReferences: ["uid"],
  ports: ["port", "containerPort"],
};
const mergedPrimitiveLists = new Set(["finalizers"]);

function mergeKeyFor(field: string, patchList: unknown[], order: unknown[] | undefined): string | undefined {
  const first = order?.find(isObject) ?? patchList.find(isObject);
  if (isObject(first)) {
    const keys = Object.keys(first).filter((k) => !k.startsWith("$"));
    if (order !== undefined && keys.length === 1) return keys[0];
    return (mergeKeys[field] ?? []).find((k) => Object.hasOwn(first, k));
  }
  return undefined;
}

function mergeList(field: string, target: unknown, patchList: unknown[], order: unknown[] | undefined): unknown[] {
  const current = Array.isArray(target) ? clone(target) : [];
  if (patchList.every((v) => !isObject(v))) {
    if (!mergedPrimitiveLists.has(field)) return clone(patchList);
    return [...current, ...patchList.filter((v) => !current.some((c) => jsonEqual(c, v)))];
  }
  const key = mergeKeyFor(field, patchList, order);
  if (key === undefined) return patchList.map((v) => (isObject(v) ? stripDirectives(v) : v));
  let out = current;
  for (const item of patchList) {
    if (!isObject(item)) continue;
    const idx = out.findIndex((c) => isObject(c) && jsonEqual(c[key], item[key]));
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = applyStrategicMergePatch(out[idx], item);
    else out.push(stripDirectives(item));
  }
  if (order !== undefined) {
    const rank = (v: unknown): number => {
      const i = order.findIndex((o) => isObject(o) && isObject(v) && jsonEqual(o[key], v[key]));
      return i < 0 ? order.length : i;
    };
    out = out.map((v, i) => ({ v, i })).sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i).map((e) => e.v);
  }
  return out;
}

function stripDirectives(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith("$")) continue;
    out[k] = isObject(v) ? stripDirectives(v) : clone(v);
  }
  return out;
}

/**
 * Strategic merge patch: merge patch semantics, plus lists merged by their merge key (from
 * `$setElementOrder/<field>` or the built-in table), `$patch: replace|delete`, `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>`. Used for built-in types only; custom resources reject it.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === "replace") return stripDirectives(patch);
  if (patch.$patch === "delete") return undefined;
  const out: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$deleteFromPrimitiveList/") && Array.isArray(value)) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      const list = out[field];
      if (Array.isArray(list)) out[field] = list.filter((v) => !value.some((d) => jsonEqual(d, v)));
      continue;
    }
    if (key.startsWith("$")) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    if (Array.isArray(value)) {
      const order = patch[`$setElementOrder/${key}`];
      out[key] = mergeList(key, out[key], value, Array.isArray(order) ? order : undefined);
      continue;
    }
    const merged = applyStrategicMergePatch(out[key], value);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  for (const [key, order] of Object.entries(patch)) {
    const field = key.startsWith("$setElementOrder/") ? key.slice("$setElementOrder/".length) : undefined;
    if (field === undefined || Object.hasOwn(patch, field) || !Array.isArray(order) || !Array.isArray(out[field])) continue;
    out[field] = mergeList(field, out[field], [], order);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.map(String));
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}
