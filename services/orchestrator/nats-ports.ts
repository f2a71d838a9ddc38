/** The orchestrator's ports over NATS: the two KV stores (counted) and the command publisher. */
import type { NatsConnection } from "@nats-io/transport-node";
import { Bucket } from "../../schemas/subjects.js";
import { createPublisher, openKv, type Publisher } from "../runtime/index.js";
import { createKvIndex, kvDeleteAt } from "./index-kv.js";
import { instrumentKv, type OrchestratorMetrics } from "./metrics.js";
import type { CommandPublisher, ReleaseStore, RolloutIndexStore } from "./ports.js";
import { createKvReleaseStore } from "./store.js";

/** Publishes host commands through the runtime's publisher: envelope id = msgId, so JetStream dedupes. */
export function commandPublisher(nats: Publisher): CommandPublisher {
  return {
    async publish(cmd) {
      const r = await nats.publish(cmd.subject, {
        id: cmd.msgId,
        data: cmd.data as never,
        releaseId: cmd.releaseId,
        ...(cmd.causationId === undefined ? {} : { causationId: cmd.causationId }),
      });
      return { duplicate: r.duplicate };
    },
  };
}

/** The ports the service needs, on `nc` (the buckets must exist: provision first). */
export async function openPorts(
  nc: NatsConnection,
  metrics: OrchestratorMetrics,
  source = "orchestrator",
): Promise<{ releases: ReleaseStore; index: RolloutIndexStore; publisher: CommandPublisher }> {
  const releasesKv = instrumentKv(await openKv(nc, Bucket.releases), Bucket.releases, metrics);
  const rolloutsKv = instrumentKv(await openKv(nc, Bucket.rollouts), Bucket.rollouts, metrics);
  const deleteAt = await kvDeleteAt(nc, Bucket.rollouts);
  const countedDeleteAt = async (key: string, revision: number) => {
    try {
      await deleteAt(key, revision);
      metrics.kvOps.inc({ bucket: Bucket.rollouts, op: "delete", outcome: "ok" });
    } catch (err) {
      metrics.kvOps.inc({ bucket: Bucket.rollouts, op: "delete", outcome: "conflict" });
      throw err;
    }
  };
  return {
    releases: createKvReleaseStore(releasesKv, Bucket.releases),
    index: createKvIndex(rolloutsKv, countedDeleteAt),
    publisher: commandPublisher(createPublisher(nc, { source })),
  };
}
