/** The health and metrics listener every service runs: `/healthz`, `/readyz`, `/metrics`. */
import Fastify, { type FastifyInstance } from "fastify";
import { register as globalRegistry, type Registry } from "prom-client";

/** Options of {@link buildHealthApp} and {@link startHealthServer}. */
export interface HealthOptions {
  /** True when the service can do its work (NATS connected, consumers running). Throwing counts as not ready. */
  ready: () => boolean | Promise<boolean>;
  /** Metrics to serve (default prom-client's global registry). */
  registry?: Registry;
}

/** Build (without listening) the health app; tests call `inject()` on it. */
export function buildHealthApp(opts: HealthOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  const registry = opts.registry ?? globalRegistry;
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    let ok = false;
    let error: string | undefined;
    try {
      ok = await opts.ready();
    } catch (err) {
      error = (err as Error).message;
    }
    return reply.code(ok ? 200 : 503).send(ok ? { status: "ready" } : { status: "not ready", ...(error === undefined ? {} : { error }) });
  });
  app.get("/metrics", async (_req, reply) => {
    const text = await registry.metrics();
    return reply.header("content-type", registry.contentType).send(text);
  });
  return app;
}

/** A listening health server. */
export interface HealthServer {
  /** `http://<host>:<port>`. */
  url: string;
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** Listen on `host:port` (port 0 picks a free one). */
export async function startHealthServer(opts: HealthOptions & { host: string; port: number }): Promise<HealthServer> {
  const app = buildHealthApp(opts);
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = addr !== null && typeof addr === "object" ? addr.port : opts.port;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return { url: `http://${host}:${port}`, port, close: () => app.close() };
}
