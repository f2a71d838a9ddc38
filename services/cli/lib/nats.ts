/**
 * The NATS side of the people-facing commands: connecting with errors that say how to start a
 * server, and the KV, publish and event-feed adapters behind the ports.
 */
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Type } from "typebox";
import { decode } from "../../../schemas/codec.js";
import { Bucket, Command, Event, releaseIdFromKey, releaseKey, Stream } from "../../../schemas/subjects.js";
// The runtime's files, not its index: the index also loads fastify, pino and prom-client, which a
// person's `siskin status` does not need to wait for.
import { loadConfig, NatsConfig } from "../../runtime/config.js";
import { openKv } from "../../runtime/kv.js";
import { natsConnectOptions } from "../../runtime/nats.js";
import { createPublisher } from "../../runtime/publish.js";
import { CliError } from "./errors.js";
import type { ControlSender, ReleaseEvent, ReleaseEventFeed, ReleaseStore } from "./ports.js";

/** How to get a NATS server with Siskin's streams locally; quoted in every connection error. */
export const START_HINT = "start the local world with `npm run demo -- --keep` (or `siskin sim up`), or point --nats / SISKIN_NATS_SERVERS at a running server";

/** Give up on the first connection after this long (a dropped packet should not hang a person's shell). */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connect as `siskin-cli` to `servers`, with the credentials of the SISKIN_NATS_* variables
 * (user/pass, token, creds file, TLS). Throws a CliError naming the URL and how to start NATS.
 */
export async function connectCli(
  servers: readonly string[],
  env: Record<string, string | undefined>,
  opts: { reconnectForever?: boolean } = {},
): Promise<NatsConnection> {
  let connectOpts;
  try {
    const cfg = loadConfig(Type.Object({ nats: NatsConfig }), env);
    connectOpts = natsConnectOptions({ ...cfg.nats, servers: [...servers] }, "siskin-cli");
  } catch (err) {
    throw new CliError(`NATS settings are invalid: ${(err as Error).message}`);
  }
  try {
    // A one-shot command gives up after a few attempts; `watch` rides out a server restart.
    return await connect({ ...connectOpts, timeout: CONNECT_TIMEOUT_MS, maxReconnectAttempts: opts.reconnectForever === true ? -1 : 10 });
  } catch (err) {
    throw new CliError(`cannot connect to NATS at ${servers.join(",")}: ${(err as Error).message}; ${START_HINT}`, 1, { cause: err });
  }
}

function jetStreamProblem(err: unknown, what: string): CliError {
  const m = (err as Error).message ?? String(err);
  return new CliError(`${what} failed: ${m}; is JetStream enabled and provisioned? run: siskin provision`, 1, { cause: err });
}

/** The releases bucket as a {@link ReleaseStore}. */
export async function kvReleaseStore(nc: NatsConnection): Promise<ReleaseStore> {
  let kv;
  try {
    kv = await openKv(nc, Bucket.releases);
  } catch (err) {
    throw jetStreamProblem(err, `opening KV bucket ${Bucket.releases}`);
  }
  return {
    async list() {
      const keys = await kv.keys();
      const entries = await Promise.all(keys.map(async (key) => ({ key, entry: await kv.get(key) })));
      return entries.filter((e) => e.entry !== null).map((e) => ({ key: releaseIdFromKey(e.key), value: e.entry?.value }));
    },
    async get(releaseId) {
      return (await kv.get(releaseKey(releaseId)))?.value ?? null;
    },
  };
}

/** Publishes `cmd.orchestrator.control` through the runtime's publisher (validated, msgID = envelope id). */
export function natsControlSender(nc: NatsConnection): ControlSender {
  const publisher = createPublisher(nc, { source: "siskin-cli" });
  return {
    async send(releaseId, data) {
      try {
        return await publisher.publish(Command.orchestratorControl, { releaseId, data });
      } catch (err) {
        throw jetStreamProblem(err, `publishing ${Command.orchestratorControl} for ${releaseId}`);
      }
    },
  };
}

const releaseSubjects: ReadonlySet<string> = new Set([Event.releaseRequested, Event.releaseSuperseded, Event.releaseProgressed, Event.releaseCompleted]);

/**
 * `evt.release.*` of the EVENTS stream from now on, through an ordered (ephemeral, flow-controlled)
 * consumer. Call before reading the KV: the feed starts right after the stream's last message at
 * call time, so nothing published between the KV read and the subscription is lost (the views
 * skip what the KV entry already shows).
 */
export async function releaseEventFeed(nc: NatsConnection, onUndecodable: (subject: string, err: Error) => void): Promise<ReleaseEventFeed> {
  let messages;
  try {
    const jsm = await jetstreamManager(nc);
    const last = (await jsm.streams.info(Stream.events.name)).state.last_seq;
    const consumer = await jetstream(nc).consumers.get(Stream.events.name, {
      filter_subjects: "evt.release.>",
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: last + 1,
    });
    messages = await consumer.consume();
  } catch (err) {
    throw jetStreamProblem(err, `subscribing to evt.release.> on stream ${Stream.events.name}`);
  }
  const source = messages;
  async function* iterate(): AsyncGenerator<ReleaseEvent> {
    for await (const m of source) {
      if (!releaseSubjects.has(m.subject)) continue;
      try {
        yield decode(m.subject, m.data) as ReleaseEvent;
      } catch (err) {
        onUndecodable(m.subject, err as Error);
      }
    }
  }
  let closing: Promise<unknown> | undefined;
  return {
    [Symbol.asyncIterator]: iterate,
    async stop() {
      closing ??= source.close();
      await closing;
    },
  };
}
