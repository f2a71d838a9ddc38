/** A {@link JsonKv} that counts its operations by name, for KV-operations-per-tick figures. */
import type { JsonKv } from "../../services/runtime/kv.js";

/** The wrapped bucket plus its counters. */
export interface CountingKv extends JsonKv {
  /** Operations since the last take, by name (`get`, `update`...), and `total`; resets them. */
  take(): Record<string, number>;
}

/** Count every operation of `kv`. */
export function countingKv(kv: JsonKv): CountingKv {
  let counts: Record<string, number> = {};
  const count = <T>(op: string, run: () => Promise<T>): Promise<T> => {
    counts[op] = (counts[op] ?? 0) + 1;
    return run();
  };
  return {
    get: (key) => count("get", () => kv.get(key)),
    create: (key, value) => count("create", () => kv.create(key, value)),
    update: (key, value, revision) => count("update", () => kv.update(key, value, revision)),
    put: (key, value) => count("put", () => kv.put(key, value)),
    delete: (key) => count("delete", () => kv.delete(key)),
    keys: () => count("keys", () => kv.keys()),
    entries: () => count("entries", () => kv.entries()),
    take() {
      const out = { ...counts, total: Object.values(counts).reduce((s, n) => s + n, 0) };
      counts = {};
      return out;
    },
  };
}
