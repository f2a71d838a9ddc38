/** Adapter: the {@link Registry} port over a JSON KV bucket (`Bucket.analyses`). */
import { releaseKey } from "../../schemas/subjects.js";
import { RevisionConflictError, type JsonKv, type KvEntry } from "../runtime/kv.js";
import type { Registry, StoredRegistration } from "./ports.js";
import { registrationProblems, type Registration } from "./registration.js";

/** Called for an entry that is not a valid registration (it is skipped, not deleted). */
export type OnInvalid = (key: string, problems: string[]) => void;

/** Create the registry over `kv`. */
export function createKvRegistry(kv: JsonKv, onInvalid: OnInvalid = () => {}): Registry {
  const valid = (key: string, e: KvEntry | null): StoredRegistration | null => {
    if (e === null) return null;
    const problems = registrationProblems(e.value);
    if (problems.length > 0) {
      onInvalid(key, problems);
      return null;
    }
    return { registration: e.value as Registration, revision: e.revision };
  };
  const read = async (key: string): Promise<StoredRegistration | null> => valid(key, await kv.get(key));
  return {
    async list() {
      // One batched read per tick, not one get per release (n KV round trips every second).
      const entries = await kv.entries();
      return entries.map((e) => valid(e.key, e)).filter((e): e is StoredRegistration => e !== null);
    },
    get: (releaseId) => read(releaseKey(releaseId)),
    async save(registration, revision) {
      const key = releaseKey(registration.releaseId);
      try {
        if (revision === undefined) await kv.create(key, registration);
        else await kv.update(key, registration, revision);
        return true;
      } catch (err) {
        if (err instanceof RevisionConflictError) return false;
        throw err;
      }
    },
    async remove(releaseId) {
      await kv.delete(releaseKey(releaseId));
    },
  };
}
