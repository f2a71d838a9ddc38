// `metadata.managedFields` as the API server keeps them for non-apply writes (operation `Update`, what
// PUT and PATCH record): the writing manager takes ownership of every field its write changed, and
// every other manager loses those fields (an entry left with none is dropped). Objects are granular
// maps (`f:<key>`); arrays and scalars are atomic, as in a CRD without list-type markers (Istio's).
// A write without a fieldManager leaves the entries as they were (a simplification).
import { isObject, jsonEqual, toKubeTime, type KubeObject } from "./types.js";

/** One managedFields entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
}

type Path = string[];

// Bookkeeping of the server, never owned by a writer.
const IGNORED = new Set(["metadata.resourceVersion", "metadata.generation", "metadata.managedFields", "metadata.uid", "metadata.creationTimestamp", "metadata.deletionTimestamp", "apiVersion", "kind", "status"]);

function changedPaths(a: unknown, b: unknown, at: Path, out: Path[]): void {
  if (IGNORED.has(at.join("."))) return;
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) changedPaths(a[k], b[k], [...at, k], out);
    return;
  }
  if (jsonEqual(a, b)) return;
  // A map that appeared or vanished: its leaves changed (ownership is per leaf, as the server's).
  if (isObject(b) && a === undefined) return changedPaths({}, b, at, out);
  if (isObject(a) && b === undefined) return changedPaths(a, {}, at, out);
  if (at.length > 0) out.push(at);
}

function pathsOf(fields: unknown, at: Path, out: Path[]): Path[] {
  if (!isObject(fields)) return out;
  const keys = Object.keys(fields).filter((k) => k !== ".");
  if (keys.length === 0 && at.length > 0) out.push(at);
  for (const k of keys) pathsOf(fields[k], [...at, k.startsWith("f:") ? k.slice(2) : k], out);
  return out;
}

function fieldsOf(paths: Path[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    let node = root;
    for (const k of p) {
      const key = `f:${k}`;
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
  }
  return root;
}

const overlaps = (p: Path, q: Path) => {
  const n = Math.min(p.length, q.length);
  return p.slice(0, n).every((k, i) => k === q[i]);
};

/** The managedFields after `manager` wrote `next` over `prev` (null on create). */
export function trackManagedFields(prev: KubeObject | null, next: KubeObject, manager: string | undefined, apiVersion: string, now: number): ManagedFieldsEntry[] | undefined {
  const entries = ((prev?.metadata.managedFields ?? []) as ManagedFieldsEntry[]).map((e) => ({ ...e }));
  if (manager === undefined || manager === "") return entries.length === 0 ? undefined : entries;
  const changed: Path[] = [];
  changedPaths(prev === null ? {} : prev, next, [], changed);
  if (changed.length === 0) return entries.length === 0 ? undefined : entries;
  const out: ManagedFieldsEntry[] = [];
  let mine: Path[] = [];
  for (const e of entries) {
    const paths = pathsOf(e.fieldsV1, [], []);
    if (e.manager === manager && e.operation === "Update") {
      mine = paths;
      continue;
    }
    const kept = paths.filter((q) => !changed.some((p) => overlaps(p, q)));
    if (kept.length === paths.length) out.push(e);
    else if (kept.length > 0) out.push({ ...e, fieldsV1: fieldsOf(kept) });
  }
  const present = (p: Path) => p.reduce<unknown>((node, k) => (isObject(node) ? node[k] : undefined), next) !== undefined;
  const own = [...mine.filter((q) => !changed.some((p) => overlaps(p, q))), ...changed.filter(present)];
  if (own.length > 0) out.push({ manager, operation: "Update", apiVersion, time: toKubeTime(now), fieldsType: "FieldsV1", fieldsV1: fieldsOf(own) });
  return out.length === 0 ? undefined : out;
}
