/** Adapter: the {@link ReleaseStore} port over the JSON KV bucket `Bucket.releases`. */
import { SiskinError } from "../../schemas/errors.js";
import { releaseKey } from "../../schemas/subjects.js";
import type { JsonKv } from "../runtime/kv.js";
import type { ReleaseStore, ReleaseValue } from "./ports.js";

/** Event ids remembered per release (the newest). */
export const PROCESSED_KEPT = 200;

/** `ids` plus `id`, keeping the newest {@link PROCESSED_KEPT}. */
export function remember(ids: readonly string[], id: string): string[] {
  return [...ids, id].slice(-PROCESSED_KEPT);
}

function problemsOf(v: unknown): string[] {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return ["not an object"];
  const o = v as Record<string, unknown>;
  const out: string[] = [];
  if (typeof o.machine !== "string") out.push("machine is not a string");
  if (typeof o.version !== "number") out.push("version is not a number");
  if (typeof o.releaseId !== "string") out.push("releaseId is not a string");
  if (typeof o.seq !== "number") out.push("seq is not a number");
  if (!Array.isArray(o.outbox)) out.push("outbox is not an array");
  if (!Array.isArray(o.audit)) out.push("audit is not an array");
  if (o.processed !== undefined && !Array.isArray(o.processed)) out.push("processed is not an array");
  return out;
}

/** Create the store over `kv` (the bucket `bucket`, named in errors). */
export function createKvReleaseStore(kv: JsonKv, bucket = "siskin-releases"): ReleaseStore {
  return {
    async load(releaseId) {
      const e = await kv.get(releaseKey(releaseId));
      if (e === null) return null;
      const problems = problemsOf(e.value);
      if (problems.length > 0) {
        throw new SiskinError(
          "SISKIN_ERR_INTERNAL",
          `kv ${bucket}: release ${releaseId} (key ${releaseKey(releaseId)}, revision ${e.revision}) is not a stored release (${problems.join("; ")}); inspect it with "nats kv get ${bucket} ${releaseKey(releaseId)}" and delete it if it is garbage`,
        );
      }
      const v = e.value as ReleaseValue;
      return { value: { ...v, processed: v.processed ?? [] }, revision: e.revision };
    },
    create: (releaseId, value) => kv.create(releaseKey(releaseId), value),
    update: (releaseId, value, revision) => kv.update(releaseKey(releaseId), value, revision),
  };
}
