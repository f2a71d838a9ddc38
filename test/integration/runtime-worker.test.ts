// startWorker against a real nats-server and a real health listener: the start order, the one
// cleanup path when a start fails halfway, and the ordered drain on stop.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectNats, provision, startWorker, type Env, type RunningConsumer, type WorkerConfig } from "../../services/runtime/index.js";
import { freePort, startNats, waitFor, type NatsServer } from "../harness/index.js";

let provisioned: NatsServer;
let bare: NatsServer;

beforeAll(async () => {
  [provisioned, bare] = await Promise.all([startNats(), startNats()]);
  const nc = await connectNats({ servers: [provisioned.url] }, "provisioner");
  await provision(nc);
  await nc.close();
});
afterAll(async () => {
  await Promise.all([provisioned?.stop(), bare?.stop()]);
});

/** A config as the workers' `load` returns it, pointing at `srv` and a fixed health port. */
const loader = (srv: NatsServer, port: number) => (_env: Env): WorkerConfig => ({ logLevel: "silent", nats: { servers: [srv.url] }, http: { host: "127.0.0.1", port } });

/** The names of the clients `srv` has connected now (its monitoring endpoint). */
async function clientsOf(srv: NatsServer): Promise<string[]> {
  const res = (await (await fetch(`${srv.monitorUrl}/connz`)).json()) as { connections?: Array<{ name?: string }> };
  return (res.connections ?? []).map((c) => c.name ?? "");
}

/** True when nothing listens on 127.0.0.1:`port` any more (it can be bound again). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

describe("startWorker", () => {
  it("a start that fails halfway releases what it opened: the worker's steps (last first), the NATS connection and the health server", async () => {
    const port = await freePort();
    const seen: string[] = [];
    let nc: NatsConnection | undefined;
    let consumer: RunningConsumer | undefined;
    const start = startWorker({
      service: "worker-fails-halfway",
      load: loader(provisioned, port),
      env: {},
      async start(w) {
        nc = w.nc;
        // Health is already listening (liveness during a slow start), but not ready.
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
        expect(await clientsOf(provisioned)).toContain("worker-fails-halfway");
        const c = await w.consume("statusWriter", async () => undefined);
        consumer = c;
        w.onStop(() => seen.push(`listener closed (consumer running: ${c.running()})`));
        w.onStop(() => seen.push("ticker stopped"));
        throw new Error("the Slack token is refused");
      },
    });
    await expect(start).rejects.toThrow("the Slack token is refused");
    // Last registered first: the ticker, the listener, then the consumer opened before them.
    expect(seen).toEqual(["ticker stopped", "listener closed (consumer running: true)"]);
    expect(consumer?.running()).toBe(false);
    expect(nc?.isClosed()).toBe(true);
    expect(await portFree(port)).toBe(true);
    await waitFor(async () => !(await clientsOf(provisioned)).includes("worker-fails-halfway"), { timeoutMs: 5_000, what: "the server to drop the failed worker's connection" });
  });

  it("a consumer that does not exist (NATS not provisioned) fails the start, and the connection and health server are released", async () => {
    const port = await freePort();
    let nc: NatsConnection | undefined;
    await expect(
      startWorker({
        service: "worker-unprovisioned",
        load: loader(bare, port),
        env: {},
        async start(w) {
          nc = w.nc;
          await w.consume("statusWriter", async () => undefined);
          return {};
        },
      }),
    ).rejects.toThrow();
    expect(nc?.isClosed()).toBe(true);
    expect(await portFree(port)).toBe(true);
    await waitFor(async () => !(await clientsOf(bare)).includes("worker-unprovisioned"), { timeoutMs: 5_000, what: "the server to drop the failed worker's connection" });
  });

  it("a health port already taken fails the start and closes the NATS connection", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    let started = false;
    try {
      await expect(
        startWorker({
          service: "worker-port-taken",
          load: loader(provisioned, port),
          env: {},
          async start() {
            started = true;
            return {};
          },
        }),
      ).rejects.toThrow(/EADDRINUSE/);
      expect(started).toBe(false);
      await waitFor(async () => !(await clientsOf(provisioned)).includes("worker-port-taken"), { timeoutMs: 5_000, what: "the server to drop the failed worker's connection" });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it("a bad config fails before anything is opened", async () => {
    await expect(
      startWorker({
        service: "worker-bad-config",
        load: () => {
          throw new Error("SISKIN_HTTP_PORT: must be an integer");
        },
        env: {},
        start: async () => ({}),
      }),
    ).rejects.toThrow("SISKIN_HTTP_PORT");
    expect(await clientsOf(provisioned)).not.toContain("worker-bad-config");
  });

  it("runs ready once started, and stop drains in one order: not ready, worker steps last first, NATS, health", async () => {
    const port = await freePort();
    const order: string[] = [];
    let nc: NatsConnection | undefined;
    const worker = await startWorker({
      service: "worker-ok",
      load: loader(provisioned, port),
      env: {},
      async start(w) {
        nc = w.nc;
        const consumer = await w.consume("statusWriter", async () => undefined);
        w.onStop(async () => {
          const ready = (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
          order.push(`ticker (readyz ${ready}, consumer running ${consumer.running()}, nats open ${!w.nc.isClosed()})`);
        });
        return { answer: 42 };
      },
    });
    expect(worker.answer).toBe(42);
    expect(worker.healthUrl).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`${worker.healthUrl}/readyz`)).status).toBe(200);
    const stopping = worker.stop();
    expect(worker.stop()).toBe(stopping);
    await stopping;
    expect(order).toEqual(["ticker (readyz 503, consumer running true, nats open true)"]);
    expect(nc?.isClosed()).toBe(true);
    expect(await portFree(port)).toBe(true);
  });
});
