/** alert-ingest's ports: the live-release index and the event publisher. */
import type { AlertEvent } from "../../schemas/alert.js";
import type { AlertIndexEntry } from "../../schemas/rollout-index.js";
import type { Event } from "../../schemas/subjects.js";

/** The live-release index (KV `Bucket.rollouts`). */
export interface RolloutIndex {
  /** Every valid entry (the adapter skips and reports invalid ones). */
  list(): Promise<AlertIndexEntry[]>;
}

/** Publish an alert event; `id` is the JetStream msgID. Resolves `duplicate: true` when the server already had it. */
export type PublishAlert = (
  subject: typeof Event.alertFired | typeof Event.alertResolved,
  msg: { id: string; releaseId: string; data: AlertEvent },
) => Promise<{ duplicate: boolean }>;

export type { Log } from "../runtime/ports.js";
