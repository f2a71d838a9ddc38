/** Adapter: the {@link RolloutIndex} port over the JSON KV bucket `Bucket.rollouts`. */
import { Compile } from "typebox/compile";
import { AlertIndexEntry } from "../../schemas/rollout-index.js";
import type { JsonKv } from "../runtime/kv.js";
import type { RolloutIndex } from "./ports.js";

const check = Compile(AlertIndexEntry);

/** Called for an entry that is not a valid index entry (it is skipped). */
export type OnInvalid = (key: string, problems: string[]) => void;

/** Create the index reader over `kv`. */
export function createKvIndex(kv: JsonKv, onInvalid: OnInvalid = () => {}): RolloutIndex {
  return {
    async list() {
      // One batched read per webhook, not one get per release in flight.
      const entries = await kv.entries();
      return entries
        .map((e) => {
          if (!check.Check(e.value)) {
            onInvalid(e.key, [...check.Errors(e.value)].slice(0, 5).map((x) => `${x.instancePath || "/"}: ${x.message}`));
            return null;
          }
          return e.value as AlertIndexEntry;
        })
        .filter((e): e is AlertIndexEntry => e !== null);
    },
  };
}
