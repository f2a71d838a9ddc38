/**
 * The servers a benchmark needs, with cleanup: a JetStream nats-server provisioned with Siskin's
 * streams, consumers and buckets, and a client connection. Everything binds 127.0.0.1.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { provision } from "../../services/runtime/provision.js";
import { startNats, type NatsServer } from "../../sim/world/servers.js";

/** Cleanups run in reverse order; errors are ignored (a benchmark's teardown must not hide its result). */
export interface Cleanups {
  add(fn: () => Promise<unknown> | unknown): void;
  run(): Promise<void>;
}

/** An empty cleanup stack. */
export function cleanups(): Cleanups {
  const fns: Array<() => Promise<unknown> | unknown> = [];
  return {
    add: (fn) => void fns.push(fn),
    async run() {
      while (fns.length > 0) {
        const fn = fns.pop();
        try {
          await fn?.();
        } catch {
          // teardown: ignored on purpose
        }
      }
    },
  };
}

/** A provisioned nats-server and one connection to it. */
export interface BenchNats {
  server: NatsServer;
  nc: NatsConnection;
  /** Env for a worker's `main(env)`: NATS URL, quiet logs, health on a free port. */
  workerEnv(extra?: Record<string, string>): Record<string, string>;
}

/** Start nats-server (JetStream, memory-capped), provision Siskin's objects, connect. */
export async function startBenchNats(c: Cleanups, opts: { maxMemory?: string } = {}): Promise<BenchNats> {
  const server = await startNats({ maxMemory: opts.maxMemory ?? "512MB", maxStore: "4GB" });
  c.add(() => server.stop());
  const nc = await connect({ servers: server.url, name: "bench" });
  c.add(() => nc.close());
  await provision(nc);
  return {
    server,
    nc,
    workerEnv: (extra = {}) => ({
      SISKIN_NATS_SERVERS: server.url,
      SISKIN_LOG_LEVEL: "silent",
      SISKIN_HTTP_HOST: "127.0.0.1",
      SISKIN_HTTP_PORT: "0",
      ...extra,
    }),
  };
}
