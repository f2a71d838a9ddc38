/**
 * The dashboard's HTTP surface (fastify, `build` only; main.ts listens): the pages and their assets,
 * the read API, the live event stream (SSE) and the actions. Every `/api` route identifies the
 * caller first (auth.ts); reads need a user unless anonymous reading is enabled, actions always do.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import { Type } from "typebox";
import { K8sName, K8sNamespace, StringEnum, Version } from "../../schemas/common.js";
import { ControlAction } from "../../schemas/control.js";
import { releaseIdOf } from "../../schemas/subjects.js";
import { csrfMatches, csrfToken, identify, type AuthSettings, type Identity } from "./auth.js";
import type { Hub } from "./hub.js";
import type { DashboardService } from "./service.js";

/** Dependencies of {@link buildApp}. */
export interface HttpDeps {
  service: DashboardService;
  hub: Hub;
  auth: AuthSettings & { anonymousRead: boolean; csrfSecret?: string };
  logger?: FastifyBaseLogger;
}

/** The header carrying the CSRF token on actions. */
export const CSRF_HEADER = "x-siskin-csrf";

const staticDir = join(dirname(fileURLToPath(import.meta.url)), "static");
const uplotDir = join(dirname(createRequire(import.meta.url).resolve("uplot/package.json")), "dist");

const ReleaseParams = Type.Object({ ns: K8sNamespace, rollout: K8sName, version: Version });
const ActionBody = Type.Object(
  { action: StringEnum(ControlAction), reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
const ListQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), all: Type.Optional(Type.Boolean()) });

declare module "fastify" {
  interface FastifyRequest {
    identity: Identity;
  }
}

/** The request's origin differs from the host it was sent to (a cross-site form or fetch). */
function crossSite(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === "null") return origin === "null";
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/** Build the fastify app (no socket; tests use `inject()` or listen on port 0). */
export function buildApp(deps: HttpDeps): FastifyInstance {
  const { service, hub, auth } = deps;
  const csrfSecret = auth.csrfSecret ?? randomBytes(32).toString("base64url");
  const app = Fastify({ ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }), bodyLimit: 64 * 1024 })
    .setValidatorCompiler(TypeBoxValidatorCompiler)
    .withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest("identity", null as never);
  app.addHook("onRequest", async (req) => {
    // The TCP peer, not X-Forwarded-For: only the proxy's own address earns trust in its headers.
    req.identity = identify(req.headers, req.socket.remoteAddress, auth);
  });
  app.addHook("onSend", async (_req, reply) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "same-origin");
    reply.header("content-security-policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
  });

  void app.register(fastifyStatic, { root: staticDir, prefix: "/static/", index: false });
  void app.register(fastifyStatic, { root: uplotDir, prefix: "/static/uplot/", decorateReply: false, index: false });
  const page = async (_req: FastifyRequest, reply: import("fastify").FastifyReply) => reply.header("cache-control", "no-store").sendFile("index.html");
  app.get("/", page);
  app.get("/releases/:ns/:rollout/:version", page);

  void app.register(async (api) => {
    api.addHook("onRequest", async (req, reply) => {
      if (req.identity.kind === "anonymous" && !auth.anonymousRead && req.url !== "/api/v1/me") {
        await reply.code(401).header("www-authenticate", 'Bearer realm="siskin-dashboard"').send({ error: "sign in first: this dashboard needs an identity from the OIDC proxy or a bearer token" });
      }
    });
    const typed = api.withTypeProvider<TypeBoxTypeProvider>();

    typed.get("/api/v1/me", async (req) => {
      const i = req.identity;
      if (i.kind === "anonymous") return { user: null, canRead: auth.anonymousRead, csrfToken: null };
      return { user: { id: i.id, name: i.name ?? i.id, via: i.via, groups: i.groups }, canRead: true, csrfToken: csrfToken(csrfSecret, i) };
    });

    typed.get("/api/v1/releases", { schema: { querystring: ListQuery } }, async (req) => {
      const rows = service.list({ ...(req.query.q === undefined ? {} : { q: req.query.q }), ...(req.query.all === undefined ? {} : { all: req.query.all }) });
      const c = service.counts();
      return { releases: rows, total: c.releases, live: c.live };
    });

    typed.get("/api/v1/releases/:ns/:rollout/:version", { schema: { params: ReleaseParams } }, async (req, reply) => {
      const id = releaseIdOf(req.params.ns, req.params.rollout, req.params.version);
      const d = await service.detail(id);
      return d === null ? reply.code(404).send({ error: `release ${id} not found` }) : d;
    });

    // Parts of the detail page read from elsewhere (Prometheus, the API server): 404 for an unknown
    // release, 502 naming the upstream when it fails, so the page shows the rest.
    const upstream = <T>(path: string, what: string, key: string, read: (id: string) => Promise<T | null>) =>
      typed.get(`/api/v1/releases/:ns/:rollout/:version/${path}`, { schema: { params: ReleaseParams } }, async (req, reply) => {
        const id = releaseIdOf(req.params.ns, req.params.rollout, req.params.version);
        try {
          const v = await read(id);
          return v === null ? reply.code(404).send({ error: `release ${id} not found` }) : { [key]: v };
        } catch (err) {
          req.log.warn({ err, releaseId: id }, `dashboard: ${what} failed`);
          return reply.code(502).send({ error: `${what} failed: ${(err as Error).message}` });
        }
      });
    upstream("charts", "Prometheus query_range", "charts", (id) => service.charts(id));
    upstream("vmis", "listing VMIs", "vmis", (id) => service.vmis(id));

    typed.post("/api/v1/releases/:ns/:rollout/:version/actions", { schema: { params: ReleaseParams, body: ActionBody } }, async (req, reply) => {
      const i = req.identity;
      const id = releaseIdOf(req.params.ns, req.params.rollout, req.params.version);
      if (i.kind === "anonymous") {
        return reply.code(401).header("www-authenticate", 'Bearer realm="siskin-dashboard"').send({ error: `sign in to ${req.body.action}: anonymous people may not act` });
      }
      // A bearer token is never sent by a browser on its own, so only the proxy's (cookie-backed) identity needs the CSRF check.
      if (i.via === "proxy" && (crossSite(req) || !csrfMatches(csrfSecret, i, typeof req.headers[CSRF_HEADER] === "string" ? req.headers[CSRF_HEADER] : undefined))) {
        return reply.code(403).send({ error: `CSRF check failed: send the ${CSRF_HEADER} header from /api/v1/me, from the dashboard's own origin` });
      }
      const out = await service.act(i, id, req.body.action, req.body.reason);
      req.log.info({ releaseId: id, action: req.body.action, user: i.id, via: i.via, status: out.status }, out.status === 202 ? "dashboard: action sent" : "dashboard: action refused");
      return reply.code(out.status).send(out.body);
    });

    api.get("/api/v1/events", async (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
      res.write("retry: 2000\n\n");
      const remove = hub.add({ write: (c) => res.write(c), buffered: () => res.writableLength, close: () => res.end() });
      req.raw.on("close", remove);
    });
  });
  return app;
}
