/**
 * An in-memory {@link JsonKv} with JetStream's revision semantics (one sequence per bucket, a
 * create of an existing key and a stale update conflict), for unit tests and local runs.
 * Values are stored as JSON text, so a caller can never mutate what is stored.
 */
import { RevisionConflictError, type JsonKv } from "../runtime/kv.js";

/** A fault to inject before an operation runs; return an error to throw it instead. */
export type KvFault = (op: "get" | "create" | "update" | "put" | "delete" | "keys" | "entries", key: string | null) => Error | undefined;

/** An in-memory bucket, plus test hooks. */
export interface MemoryKv extends JsonKv {
  /** The raw stored entries (parsed), by key. */
  dump(): Record<string, { value: unknown; revision: number }>;
  /** Faults checked before every operation. */
  faults: KvFault[];
  /** Delete when the key is still at `revision`; throws RevisionConflictError otherwise. */
  deleteAt(key: string, revision: number): Promise<void>;
}

/** Create an empty in-memory bucket named `bucket` (used in error messages). */
export function createMemoryKv(bucket = "memory"): MemoryKv {
  const entries = new Map<string, { text: string; revision: number }>();
  let seq = 0;
  const faults: KvFault[] = [];
  const check = (op: Parameters<KvFault>[0], key: string | null) => {
    for (const f of faults) {
      const err = f(op, key);
      if (err !== undefined) throw err;
    }
  };
  const write = (key: string, value: unknown) => {
    seq += 1;
    entries.set(key, { text: JSON.stringify(value), revision: seq });
    return seq;
  };
  return {
    faults,
    async get(key) {
      check("get", key);
      const e = entries.get(key);
      return e === undefined ? null : { value: JSON.parse(e.text) as unknown, revision: e.revision };
    },
    async create(key, value) {
      check("create", key);
      const e = entries.get(key);
      if (e !== undefined) throw new RevisionConflictError(bucket, key, 0, new Error(`wrong last sequence: ${e.revision}`));
      return write(key, value);
    },
    async update(key, value, revision) {
      check("update", key);
      const e = entries.get(key);
      if (e === undefined || e.revision !== revision) {
        throw new RevisionConflictError(bucket, key, revision, new Error(`wrong last sequence: ${e?.revision ?? 0}`));
      }
      return write(key, value);
    },
    async put(key, value) {
      check("put", key);
      return write(key, value);
    },
    async delete(key) {
      check("delete", key);
      entries.delete(key);
      seq += 1;
    },
    async deleteAt(key, revision) {
      check("delete", key);
      const e = entries.get(key);
      if (e === undefined || e.revision !== revision) {
        throw new RevisionConflictError(bucket, key, revision, new Error(`wrong last sequence: ${e?.revision ?? 0}`));
      }
      entries.delete(key);
      seq += 1;
    },
    async keys() {
      check("keys", null);
      return [...entries.keys()];
    },
    async entries() {
      check("entries", null);
      return [...entries].map(([key, e]) => ({ key, value: JSON.parse(e.text) as unknown, revision: e.revision }));
    },
    dump() {
      return Object.fromEntries([...entries].map(([k, e]) => [k, { value: JSON.parse(e.text) as unknown, revision: e.revision }]));
    },
  };
}
