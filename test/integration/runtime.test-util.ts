/** Shared setup of the runtime integration tests: a real nats-server, provisioned, and a silent logger. */
import { Writable } from "node:stream";
import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { pino, type Logger } from "pino";
import { connectNats, provision } from "../../services/runtime/index.js";
import { startNats, waitFor, type NatsServer } from "../harness/index.js";
import { Stream } from "../../schemas/subjects.js";

/** A provisioned server, a connection and its manager. */
export interface NatsFixture {
  srv: NatsServer;
  nc: NatsConnection;
  jsm: JetStreamManager;
  stop(): Promise<void>;
}

/** Start nats-server, connect, provision (small ack wait so a lost ack shows quickly). */
export async function natsFixture(opts: { provision?: boolean } = {}): Promise<NatsFixture> {
  const srv = await startNats();
  const nc = await connectNats({ servers: [srv.url] }, "runtime-test");
  if (opts.provision !== false) await provision(nc);
  const jsm = await jetstreamManager(nc);
  return {
    srv,
    nc,
    jsm,
    async stop() {
      await nc.close();
      await srv.stop();
    },
  };
}

/** A logger that keeps its JSON lines in memory. */
export function memoryLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString("utf8"));
      cb();
    },
  });
  const logger = pino({ level: "debug" }, sink);
  return { logger, lines: () => out.join("").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Publish raw bytes to JetStream (what a broken or foreign publisher would send). */
export async function publishRaw(nc: NatsConnection, subject: string, data: string | Uint8Array, hdrs: Record<string, string> = {}): Promise<number> {
  const h = headers();
  for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
  const ack = await jetstream(nc).publish(subject, data, { headers: h });
  return ack.seq;
}

/** Messages of the DLQ stream, read in order with an ordered consumer; waits until `count` are there. */
export async function deadLetters(nc: NatsConnection, count: number, timeoutMs = 10_000): Promise<JsMsg[]> {
  const jsm = await jetstreamManager(nc);
  await waitFor(async () => ((await jsm.streams.info(Stream.deadLetters.name)).state.messages >= count ? true : undefined), {
    timeoutMs,
    what: `${count} dead letter(s) in ${Stream.deadLetters.name}`,
  });
  const c = await jetstream(nc).consumers.get(Stream.deadLetters.name);
  const out: JsMsg[] = [];
  while (out.length < count) {
    const m = await c.next({ expires: 1000 });
    if (m === null) break;
    out.push(m);
  }
  return out;
}
