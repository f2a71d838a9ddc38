/** status-writer: `cmd.status.write` → the VMRollout's status (optimistic concurrency) and an Event. */
import type { MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import type { Command } from "../../schemas/subjects.js";
import { mergeStatus } from "./plan.js";
import type { Rollouts } from "./ports.js";
import { isConflict, retryOnConflict } from "../runtime/conflict.js";

/** A valid, deterministic Event name for the command `id` (`<rollout>.<hash>`, as Kubernetes names Events). */
export function eventName(rollout: string, id: string): string {
  let h = 0xcbf29ce484222325n;
  for (const ch of Buffer.from(id, "utf8")) h = ((h ^ BigInt(ch)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return `${rollout.slice(0, 200)}.${h.toString(16).padStart(16, "0")}`;
}

/** Dependencies of the service. */
export interface StatusWriterDeps {
  rollouts: Rollouts;
  /** Conflict retries of one write. */
  maxAttempts: number;
}

/** What a handled write did. */
export type WriteOutcome = "written" | "rollout-missing";

/** Build the handler. */
export function createService(deps: StatusWriterDeps) {
  return {
    /** Handle one `cmd.status.write`. */
    async handle(msg: MessageOf<typeof Command.statusWrite>): Promise<WriteOutcome> {
      const { rollout, status, event } = msg.data;
      return retryOnConflict({ attempts: deps.maxAttempts, what: `VMRollout ${rollout.namespace}/${rollout.name} status update` }, async () => {
        const obj = await deps.rollouts.get(rollout.namespace, rollout.name);
        // A deleted rollout has no status to keep; the release goes on without it.
        if (obj === null) return "rollout-missing";
        try {
          await deps.rollouts.replaceStatus(obj, mergeStatus(obj.status, status, obj.metadata.generation));
        } catch (err) {
          if (isConflict(err)) throw err;
          throw new SiskinError("SISKIN_ERR_UNAVAILABLE", `VMRollout ${rollout.namespace}/${rollout.name} status update failed: ${(err as Error).message}`, { cause: err });
        }
        if (event !== undefined) await deps.rollouts.recordEvent(obj, eventName(rollout.name, msg.id), event);
        return "written";
      });
    },
  };
}
