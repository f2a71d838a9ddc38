/**
 * The Slack replay guard shared by every replica: a (timestamp, signature) pair is a KV key created
 * once (`create` fails when it exists), so a request replayed to another replica is refused too.
 * Keys older than Slack's 5-minute window are pruned by the gateway's tick (the receiver refuses
 * such timestamps anyway).
 */
import { createHash } from "node:crypto";
import { SiskinError } from "../../schemas/errors.js";
import type { KvStore } from "./ports.js";
import { replayWindowSec, type ReplayGuard } from "./receiver.js";

const PREFIX = "slack-replay.";

/** The KV key of a sighting: its timestamp (for pruning) and a digest of its signature. */
export function replayKey(timestampSec: number, signature: string): string {
  return `${PREFIX}${timestampSec}.${createHash("sha256").update(signature).digest("hex").slice(0, 40)}`;
}

/** A {@link ReplayGuard} over the gateway's KV bucket, and the pruning its tick runs. */
export function kvReplayGuard(kv: KvStore): ReplayGuard & { prune(nowSec: number): Promise<number> } {
  return {
    async firstSighting(timestampSec, signature) {
      try {
        await kv.create(replayKey(timestampSec, signature), { at: timestampSec });
        return true;
      } catch (err) {
        if (err instanceof SiskinError && err.code === "SISKIN_ERR_CONFLICT") return false;
        throw err;
      }
    },
    async prune(nowSec) {
      let pruned = 0;
      for (const key of await kv.keys()) {
        if (!key.startsWith(PREFIX)) continue;
        const ts = Number(key.slice(PREFIX.length).split(".")[0]);
        if (Number.isFinite(ts) && ts < nowSec - replayWindowSec) {
          await kv.delete(key);
          pruned++;
        }
      }
      return pruned;
    },
  };
}
