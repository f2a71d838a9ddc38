/**
 * The HTTP face of alert-ingest: `POST /webhooks/alertmanager` (Alertmanager's `<webhook_config>`).
 *
 * Alertmanager retries 5xx answers and gives up on 4xx, so a body that will never be good (malformed
 * JSON 400, schema failure 400, too large 413, wrong content type 415, bad token 401) is refused with
 * a 4xx naming the problem, while a NATS outage is a 503 so the notification comes again.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { Compile } from "typebox/compile";
import { AlertmanagerWebhook } from "../../schemas/alert.js";
import { SiskinError } from "../../schemas/errors.js";
import { capConnections, ingressOptions, type IngressLimits } from "../runtime/ingress.js";
import type { Log } from "./ports.js";
import type { AlertIngestService } from "./service.js";

/** The webhook path. */
export const WEBHOOK_PATH = "/webhooks/alertmanager";

/** Options of {@link buildApp}. */
export interface AppDeps {
  service: AlertIngestService;
  /** Largest body accepted, in bytes (default 1 MiB); larger is 413. */
  bodyLimit?: number;
  /** Requests must carry `Authorization: Bearer <token>` (Alertmanager `http_config.authorization`). */
  bearerToken?: string;
  /**
   * Accept unauthenticated webhooks (`SISKIN_INSECURE_NO_AUTH=true`, the simulated world only).
   * Without it, a missing token is a startup error: the webhook never runs open by accident.
   */
  insecureNoAuth?: boolean;
  log?: Log;
  /** Timeouts and connection cap (defaults: 30 s, 10 s, 64). */
  limits?: Partial<IngressLimits>;
}

const validator = Compile(AlertmanagerWebhook);

/** The first five problems; the iterator is left there, so a megabyte of junk is not fully walked. */
function problemsOf(body: unknown): string[] {
  const out: string[] = [];
  for (const e of validator.Errors(body)) {
    out.push(`${e.instancePath === "" ? "body" : e.instancePath}: ${e.message}`);
    if (out.length === 5) break;
  }
  return out;
}

/** Cheap checks before the schema walks every alert: an object with an `alerts` array of objects. */
function shapeProblem(body: unknown): string | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "body must be a JSON object (an Alertmanager webhook)";
  const alerts = (body as { alerts?: unknown }).alerts;
  if (!Array.isArray(alerts)) return "/alerts must be an array";
  const first = alerts.findIndex((a) => typeof a !== "object" || a === null || Array.isArray(a));
  return first < 0 ? null : `/alerts/${first} must be an object`;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/** Constant-time check of an `Authorization` header against the token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m !== null && timingSafeEqual(digest(m[1] ?? ""), digest(token));
}

/** Build the app without listening; tests use `app.inject()`. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const limits = { ...deps.limits, ...(deps.bodyLimit === undefined ? {} : { bodyLimit: deps.bodyLimit }) };
  const app = Fastify({ logger: false, ...ingressOptions(limits) });
  capConnections(app, limits);
  const log = deps.log;
  // Only JSON: fastify also parses text/plain by default, which Alertmanager never sends.
  app.removeContentTypeParser("text/plain");

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: err.message, code: err.code });
    }
    if (err instanceof SiskinError && err.retryable) {
      log?.warn({ err: err.message }, "webhook not processed; Alertmanager will retry");
      return reply.code(503).send({ error: err.message, code: err.code });
    }
    log?.error({ err: err.message }, "webhook failed");
    return reply.code(500).send({ error: "internal error", code: err instanceof SiskinError ? err.code : "SISKIN_ERR_INTERNAL" });
  });

  const token = deps.bearerToken;
  if (token === undefined && deps.insecureNoAuth !== true) {
    throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", "alert-ingest needs SISKIN_WEBHOOK_TOKEN (or SISKIN_INSECURE_NO_AUTH=true in a simulation)", { retryable: false });
  }
  // On the route, after routing: the router decodes `%61` and accepts absolute-form targets, so a
  // comparison with the raw URL would be walked around. Before the body is read, so an
  // unauthenticated sender does not get to upload a megabyte.
  const authenticate = async (req: FastifyRequest, reply: FastifyReply) => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      return reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="siskin-alert-ingest"')
        .send({ error: "missing or wrong bearer token; set http_config.authorization.credentials in the Alertmanager receiver" });
    }
  };

  app.post(WEBHOOK_PATH, { onRequest: authenticate }, async (req, reply) => {
    const body = req.body;
    const shape = shapeProblem(body);
    if (shape !== null) return reply.code(400).send({ error: `invalid Alertmanager webhook body: ${shape}`, problems: [shape] });
    if (!validator.Check(body)) {
      const problems = problemsOf(body);
      return reply.code(400).send({ error: `invalid Alertmanager webhook body: ${problems.join("; ")}`, problems });
    }
    const result = await deps.service.ingest(body);
    return reply.code(200).send({ accepted: result.accepted, ignored: result.ignored });
  });

  return app;
}
