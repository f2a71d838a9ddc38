// A small, pure RFC 6902 JSON Patch: the op types the planner emits, and an applier used by tests
// (and by anything that must apply a plan without an API server). VirtualServices are CRDs, so
// Kubernetes accepts JSON patch (`application/json-patch+json`) but not strategic merge.
import { isDeepStrictEqual } from "node:util";

/** One RFC 6902 operation. `path`/`from` are RFC 6901 JSON Pointers. */
export type JsonPatchOp =
  | { op: "test"; path: string; value: unknown }
  | { op: "add"; path: string; value: unknown }
  | { op: "replace"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "move"; from: string; path: string }
  | { op: "copy"; from: string; path: string };

/** Result of {@link applyPatch}: the patched copy, or the first failing op (RFC 6902: the whole patch fails). */
export type ApplyResult = { ok: true; doc: unknown } | { ok: false; index: number; message: string };

/** Encodes path segments as a JSON Pointer (`~` → `~0`, `/` → `~1`). */
export function pointer(...segments: Array<string | number>): string {
  return segments.map((s) => `/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

function parsePointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new Error(`JSON pointer "${path}" must start with "/"`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

function arrayIndex(arr: unknown[], seg: string, forAdd: boolean): number {
  if (forAdd && seg === "-") return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(seg)) throw new Error(`"${seg}" is not an array index`);
  const i = Number(seg);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new Error(`index ${i} is out of bounds`);
  return i;
}

function parentOf(doc: unknown, segs: string[]): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (const seg of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, seg, false)];
    else if (typeof cur === "object" && cur !== null && Object.hasOwn(cur, seg)) cur = (cur as Record<string, unknown>)[seg];
    else throw new Error(`path segment "${seg}" does not exist`);
  }
  if (typeof cur !== "object" || cur === null) throw new Error("parent is not an object or array");
  return { parent: cur as Container, key: segs[segs.length - 1] ?? "" };
}

function get(doc: unknown, path: string): unknown {
  const segs = parsePointer(path);
  if (segs.length === 0) return doc;
  const { parent, key } = parentOf(doc, segs);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, false)];
  if (!Object.hasOwn(parent, key)) throw new Error(`"${path}" does not exist`);
  return parent[key];
}

function remove(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, parsePointer(path));
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false), 1)[0];
  if (!Object.hasOwn(parent, key)) throw new Error(`"${path}" does not exist`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function add(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const segs = parsePointer(path);
  if (segs.length === 0) return value;
  const { parent, key } = parentOf(doc, segs);
  if (Array.isArray(parent)) {
    if (replace) parent[arrayIndex(parent, key, false)] = value;
    else parent.splice(arrayIndex(parent, key, true), 0, value);
  } else {
    if (replace && !Object.hasOwn(parent, key)) throw new Error(`"${path}" does not exist`);
    parent[key] = value;
  }
  return doc;
}

/** Applies `ops` to a deep copy of `doc`; the input is never modified. */
export function applyPatch(doc: unknown, ops: readonly JsonPatchOp[]): ApplyResult {
  let out: unknown = structuredClone(doc);
  for (const [index, op] of ops.entries()) {
    try {
      switch (op.op) {
        case "test":
          // Deep equality with object key order ignored, as RFC 6902 `test` requires.
          if (!isDeepStrictEqual(get(out, op.path), op.value)) {
            return { ok: false, index, message: `test failed at "${op.path}": value differs` };
          }
          break;
        case "add":
          out = add(out, op.path, structuredClone(op.value), false);
          break;
        case "replace":
          out = add(out, op.path, structuredClone(op.value), true);
          break;
        case "remove":
          remove(out, op.path);
          break;
        case "move": {
          const value = remove(out, op.from);
          out = add(out, op.path, value, false);
          break;
        }
        case "copy":
          out = add(out, op.path, structuredClone(get(out, op.from)), false);
          break;
        default: {
          const never: never = op;
          return { ok: false, index, message: `unknown op ${JSON.stringify(never)}` };
        }
      }
    } catch (err) {
      return { ok: false, index, message: `${op.op} "${op.path}": ${(err as Error).message}` };
    }
  }
  return { ok: true, doc: out };
}
