/**
 * The NATS side of the dashboard: the releases and threads buckets (read only), the control
 * publisher, and the process's one event subscription (an ordered consumer on the EVENTS stream).
 */
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { decode } from "../../schemas/codec.js";
import { isDecideAction } from "../../schemas/control.js";
import { Bucket, Command, releaseIdFromKey, releaseKey, Stream } from "../../schemas/subjects.js";
import { openKv } from "../runtime/kv.js";
import { createPublisher } from "../runtime/publish.js";
import type { ControlSender, EventStream, ReleaseEntries, Threads } from "./ports.js";

/** The releases bucket, read only. */
export async function kvReleaseEntries(nc: NatsConnection): Promise<ReleaseEntries> {
  const kv = await openKv(nc, Bucket.releases);
  return {
    async list() {
      return (await kv.entries()).map((e) => ({ releaseId: releaseIdFromKey(e.key), value: e.value }));
    },
    async get(releaseId) {
      return (await kv.get(releaseKey(releaseId)))?.value ?? null;
    },
  };
}

/** The notifier's thread entries (`thread.<releaseKey>`), read only. */
export async function kvThreads(nc: NatsConnection): Promise<Threads> {
  const kv = await openKv(nc, Bucket.threads);
  return {
    async get(releaseId) {
      const v = (await kv.get(`thread.${releaseKey(releaseId)}`))?.value as { channel?: unknown; ts?: unknown } | undefined;
      return typeof v?.channel === "string" && typeof v.ts === "string" ? { channel: v.channel, ts: v.ts } : null;
    },
  };
}

/**
 * Operator actions through the runtime's publisher (validated; msgID = envelope id): pause, resume
 * and abort on `cmd.orchestrator.control`; approve, reject and promote on `cmd.orchestrator.decide`,
 * which the orchestrator accepts only from workers that authenticated the person (here: OIDC).
 */
export function natsControl(nc: NatsConnection): ControlSender {
  const publisher = createPublisher(nc, { source: "dashboard" });
  return {
    async send(releaseId, data) {
      const { action } = data;
      const r = isDecideAction(action)
        ? await publisher.publish(Command.orchestratorDecide, { releaseId, data: { ...data, action } })
        : await publisher.publish(Command.orchestratorControl, { releaseId, data });
      return { id: r.id, duplicate: r.duplicate };
    },
  };
}

/**
 * Every `evt.*` of the EVENTS stream from `since` (ms) on, then live, through one ordered consumer
 * (ephemeral, flow-controlled, recreated by the client after a reconnect). Undecodable messages are
 * reported and skipped.
 */
export function eventStream(nc: NatsConnection, since: number, onUndecodable: (subject: string, err: Error) => void): EventStream {
  let messages: Awaited<ReturnType<Awaited<ReturnType<ReturnType<typeof jetstream>["consumers"]["get"]>>["consume"]>> | undefined;
  let loop: Promise<void> | undefined;
  return {
    async start(fn) {
      const consumer = await jetstream(nc).consumers.get(Stream.events.name, {
        filter_subjects: "evt.>",
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: new Date(since).toISOString(),
      });
      const source = await consumer.consume();
      messages = source;
      loop = (async () => {
        for await (const m of source) {
          let msg;
          try {
            msg = decode(m.subject, m.data);
          } catch (err) {
            onUndecodable(m.subject, err as Error);
            continue;
          }
          fn(msg);
        }
      })();
    },
    async stop() {
      await messages?.close();
      await loop;
    },
  };
}
