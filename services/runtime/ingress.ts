/**
 * Limits every HTTP ingress shares (release-trigger, alert-ingest, approval-gateway): a small body,
 * timeouts for a slow client, and a cap on open connections, so a few slow or oversized uploads
 * cannot push a worker past its memory limit. Signatures are checked on the bounded body.
 */
import type { FastifyInstance, FastifyServerOptions } from "fastify";

/** The limits of one listener. */
export interface IngressLimits {
  /** Largest body read, in bytes (default 1 MiB: GitHub pushes and Alertmanager batches fit). */
  bodyLimit: number;
  /** A request (headers and body) must arrive within this many ms (default 30 s). */
  requestTimeoutMs: number;
  /** An idle socket is closed after this many ms (default 10 s). */
  connectionTimeoutMs: number;
  /** Open connections at most (default 64: with 1 MiB bodies a worker buffers at most 64 MiB); more are dropped at accept. */
  maxConnections: number;
}

/** The defaults of {@link IngressLimits}. */
export const defaultIngressLimits: Readonly<IngressLimits> = Object.freeze({
  bodyLimit: 1024 * 1024,
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 10_000,
  maxConnections: 64,
});

/** fastify options for `limits` (merge into `Fastify({...})`). */
export function ingressOptions(limits: Partial<IngressLimits> = {}): Pick<FastifyServerOptions, "bodyLimit" | "requestTimeout" | "connectionTimeout" | "keepAliveTimeout" | "routerOptions"> {
  const l = { ...defaultIngressLimits, ...limits };
  return {
    bodyLimit: l.bodyLimit,
    requestTimeout: l.requestTimeoutMs,
    connectionTimeout: l.connectionTimeoutMs,
    keepAliveTimeout: Math.min(5_000, l.connectionTimeoutMs),
    routerOptions: { maxParamLength: 200 },
  };
}

/** Cap the open connections of a built app (Node's `server.maxConnections`). */
export function capConnections(app: FastifyInstance, limits: Partial<IngressLimits> = {}): void {
  app.server.maxConnections = limits.maxConnections ?? defaultIngressLimits.maxConnections;
}
