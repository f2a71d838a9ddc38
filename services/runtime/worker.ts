/**
 * One bootstrap for every worker: logger → config → NATS → health (not ready yet) → the worker's
 * consumers, listeners and tickers → ready. The health listener opens before the worker's own
 * start so liveness answers during a slow start (provisioning, an API server far away) and so a
 * start that fails halfway has one cleanup path: what the worker registered (last first), then
 * the NATS connection, then the health server; the error is thrown on. `stop()` (SIGTERM through
 * `runIfMain`) drains in one order: not ready → the worker's steps, last registered first
 * (consumers stop pulling and finish in-flight work) → `nc.drain()` → the health server.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import type { ConsumerName } from "../../schemas/subjects.js";
import type { HttpConfig, NatsConfig } from "./config.js";
import { startConsumer, type ConsumerOptions, type MessageHandler, type RunningConsumer } from "./consume.js";
import { startHealthServer, type HealthServer } from "./health.js";
import { createLogger } from "./logger.js";
import { connectNats } from "./nats.js";

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/** What every worker's config has (its config.ts adds the rest). */
export interface WorkerConfig {
  logLevel: string;
  nats: NatsConfig;
  http: HttpConfig;
}

/** What a worker's `start` gets: the opened plumbing, and where to register what it opens. */
export interface WorkerContext<C extends WorkerConfig> {
  readonly service: string;
  /** The validated, frozen config. */
  readonly cfg: C;
  /** The root logger (level from the config). */
  readonly logger: Logger;
  readonly nc: NatsConnection;
  /** The metrics `/metrics` serves. */
  readonly registry: Registry;
  /** Start the durable consumer `name` (logger and registry filled in); stopped on shutdown, and /readyz follows it. */
  consume(name: ConsumerName, handler: MessageHandler, opts?: Omit<ConsumerOptions, "logger" | "registry">): Promise<RunningConsumer>;
  /** Release something just opened (a listener, a ticker) on stop or failed start; steps run last registered first, before NATS drains. */
  onStop(step: () => unknown): void;
  /** One more condition /readyz requires (beside NATS connected and every consumer running). */
  readyWhen(check: () => boolean): void;
}

/** How to start one worker. */
export interface WorkerSpec<C extends WorkerConfig, W extends object> {
  /** The worker's name (logs, NATS connection name, publisher source). */
  service: string;
  /** Validate and freeze the config (the worker's `load` from config.ts); throws naming every bad variable. */
  load(env: Env): C;
  env: Env;
  /** Build the service and open what it serves, registering each with `onStop`; resolves to what callers need beside `stop`. */
  start(w: WorkerContext<C>): Promise<W>;
  /** Fields for the "started" log line. */
  describe?(w: W): object;
}

/** A started worker. */
export type RunningWorker<W extends object = object> = W & {
  /** Base URL of the health listener (`/healthz`, `/readyz`, `/metrics`). */
  healthUrl: string;
  /** The ordered drain; the same promise on every call. */
  stop(): Promise<void>;
};

/** Start a worker in the one order; see the module doc. */
export async function startWorker<C extends WorkerConfig, W extends object>(spec: WorkerSpec<C, W>): Promise<RunningWorker<W>> {
  const logger = createLogger({ service: spec.service });
  const cfg = spec.load(spec.env);
  logger.level = cfg.logLevel;
  const nc = await connectNats(cfg.nats, spec.service);

  const steps: Array<() => unknown> = [];
  const checks: Array<() => boolean> = [];
  let started = false;
  let stopping = false;
  let health: HealthServer | undefined;
  const registry = new Registry();

  /** The worker's steps, last first; a failing one is logged and the rest still run. */
  const release = async (why: string): Promise<boolean> => {
    let ok = true;
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        ok = false;
        logger.error({ err }, `${spec.service}: a stop step failed (${why})`);
      }
    }
    return ok;
  };

  try {
    health = await startHealthServer({
      host: cfg.http.host,
      port: cfg.http.port,
      registry,
      ready: () => started && !stopping && !nc.isClosed() && checks.every((c) => c()),
    });
    const ctx: WorkerContext<C> = {
      service: spec.service,
      cfg,
      logger,
      nc,
      registry,
      async consume(name, handler, opts = {}) {
        const consumer = await startConsumer(nc, name, handler, { ...opts, logger, registry });
        steps.push(() => consumer.stop());
        checks.push(() => consumer.running());
        return consumer;
      },
      onStop: (step) => void steps.push(step),
      readyWhen: (check) => void checks.push(check),
    };
    const w = await spec.start(ctx);
    started = true;
    logger.info({ health: health.url, ...spec.describe?.(w) }, `${spec.service} started`);

    const opened = health;
    let stopped: Promise<void> | undefined;
    const stop = () =>
      (stopped ??= (async () => {
        stopping = true;
        const ok = await release("stop");
        await nc.drain();
        await opened.close();
        if (!ok) throw new Error(`${spec.service}: stopped, but a stop step failed (logged above)`);
      })());
    return { ...w, healthUrl: health.url, stop };
  } catch (err) {
    await release("failed start");
    await nc.close().catch((e: unknown) => logger.error({ err: e }, `${spec.service}: closing NATS after a failed start`));
    await health?.close().catch((e: unknown) => logger.error({ err: e }, `${spec.service}: closing the health server after a failed start`));
    throw err;
  }
}
