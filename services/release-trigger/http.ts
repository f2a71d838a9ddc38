/**
 * release-trigger's HTTP surface (fastify, `build` only; main.ts listens):
 * `POST /webhooks/github` (HMAC-signed deliveries), `POST /api/v1/releases` and
 * `POST /api/v1/releases/:ns/:rollout/:version/actions` (bearer token).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { K8sName, K8sNamespace, StringEnum, Version } from "../../schemas/common.js";
import { ControlAction, isDecideAction } from "../../schemas/control.js";
import { releaseIdOf } from "../../schemas/subjects.js";
import { capConnections, ingressOptions, type IngressLimits } from "../runtime/ingress.js";
import { checkGithubSignature, decodeGithubBody } from "./github.js";
import { createTokenBook, type ApiIdentity, type PeopleByTokenDigest } from "./people.js";
import type { Actor, ReleaseTriggerService } from "./service.js";

/** Dependencies of {@link buildApp}. */
export interface HttpDeps {
  service: ReleaseTriggerService;
  /** The secret configured on the GitHub webhook. */
  githubSecret: string;
  /** The shared bearer token of the API: may ask for releases, pause, resume, abort; never approve. */
  apiToken: string;
  /** Per-person tokens (SHA-256 digest → user and groups): the only callers who may approve, reject or promote. */
  people?: PeopleByTokenDigest;
  logger?: FastifyBaseLogger;
  /** Body size, timeouts and connection cap (defaults: 1 MiB, 30 s, 10 s, 64). */
  limits?: Partial<IngressLimits>;
}


const ReleaseBody = Type.Object(
  {
    /** `<namespace>/<name>` of the VMRollout. */
    rollout: Type.String({ pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" }),
    version: Version,
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    commit: Type.Optional(Type.String({ pattern: "^[0-9a-f]{7,64}$" })),
    /** Who asks (a CLI user name); `api` when absent. */
    requestedBy: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

const ActorBody = Type.Union([
  Type.String({ minLength: 1, maxLength: 200 }),
  Type.Object(
    {
      kind: StringEnum(["api", "cli"] as const),
      id: Type.String({ minLength: 1, maxLength: 200 }),
      name: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
]);

const ActionParams = Type.Object({ ns: K8sNamespace, rollout: K8sName, version: Version });
const ActionBody = Type.Object(
  {
    action: StringEnum(ControlAction),
    /** Self-declared: a label for pause/resume/abort with the shared token; must be the token's own user otherwise. */
    actor: Type.Optional(ActorBody),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** Constant-time bearer check; hashing first hides the token's length. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (m === null || token === "") return false;
  return timingSafeEqual(digest(m[1] as string), digest(token));
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Who asked for a release: the token's person, else the self-declared name (a label only). */
function requesterOf(who: ApiIdentity | undefined, declared: string | undefined): Actor {
  if (who?.kind === "person") return { kind: "api", id: who.person.user, ...(who.person.name === undefined ? {} : { name: who.person.name }) };
  return { kind: "api", id: declared ?? "api" };
}

/**
 * The actor of an operator action. Approve, reject and promote need a per-person token and act as
 * its user; a body naming someone else is refused. Pause, resume and abort are safe: with the
 * shared token the self-declared actor is kept as a label.
 */
export function actorFor(who: ApiIdentity, action: ControlAction, declared: Actor | undefined): { actor: Actor; groups?: string[] } | { refused: string } {
  if (who.kind === "person") {
    const actor: Actor = { kind: "api", id: who.person.user, ...(who.person.name === undefined ? {} : { name: who.person.name }) };
    if (declared !== undefined && declared.id !== who.person.user) {
      return { refused: `actor ${declared.id} is not the token's user ${who.person.user}; leave actor out, the token says who you are` };
    }
    return { actor, groups: who.person.groups };
  }
  if (isDecideAction(action)) {
    return { refused: `${action} needs a per-person token: the shared API token may ask for releases, pause, resume or abort, never ${action}; approve in Slack or with your own token` };
  }
  return { actor: declared ?? { kind: "api", id: "api" } };
}

/** Build the fastify app (no socket; tests use `inject()`). */
export function buildApp(deps: HttpDeps): FastifyInstance {
  // A tag push is a few KiB (GitHub caps at 25 MB, but a push of one tag never nears it): the body is
  // read up to 1 MiB, and only then is the signature checked, so an unsigned upload costs at most that.
  const app = Fastify({ ...ingressOptions(deps.limits), ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }) })
    .setValidatorCompiler(TypeBoxValidatorCompiler)
    .withTypeProvider<TypeBoxTypeProvider>();

  // The webhook needs the raw body for the HMAC, so its scope parses nothing itself.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ["application/json", "application/x-www-form-urlencoded"],
      { parseAs: "string" },
      (_req, body, done) => done(null, body),
    );
    scope.post("/webhooks/github", async (req, reply) => {
      const raw = typeof req.body === "string" ? req.body : "";
      const sig = await checkGithubSignature(deps.githubSecret, raw, header(req.headers["x-hub-signature-256"]));
      if (!sig.ok) return reply.code(401).send({ error: `GitHub delivery refused: ${sig.reason}` });
      const event = header(req.headers["x-github-event"]);
      const deliveryId = header(req.headers["x-github-delivery"]);
      if (event === undefined || deliveryId === undefined || deliveryId === "") {
        return reply.code(400).send({ error: "GitHub delivery lacks X-GitHub-Event or X-GitHub-Delivery" });
      }
      const decoded = decodeGithubBody(raw, req.headers["content-type"]);
      if (!decoded.ok) return reply.code(400).send({ error: `GitHub delivery ${deliveryId}: ${decoded.reason}` });
      const out = await deps.service.handleGithub({ event, deliveryId, payload: decoded.payload });
      return reply.code(out.status).send(out.body);
    });
  });

  const tokens = createTokenBook(deps.apiToken, deps.people);
  const identities = new WeakMap<object, ApiIdentity>();
  void app.register(async (api) => {
    // A scope hook runs on the matched route, after routing, so no spelling of the path avoids it.
    api.addHook("onRequest", async (req, reply) => {
      const who = tokens.authenticate(req.headers.authorization);
      if (who === null) {
        await reply.code(401).header("www-authenticate", 'Bearer realm="siskin"').send({ error: "missing or wrong bearer token" });
        return;
      }
      identities.set(req, who);
    });
    const typed = api.withTypeProvider<TypeBoxTypeProvider>();
    typed.post("/api/v1/releases", { schema: { body: ReleaseBody } }, async (req, reply) => {
      const [namespace, name] = req.body.rollout.split("/") as [string, string];
      const key = header(req.headers["idempotency-key"]);
      const out = await deps.service.requestRelease({
        namespace,
        name,
        version: req.body.version,
        ...(req.body.tag === undefined ? {} : { tag: req.body.tag }),
        ...(req.body.commit === undefined ? {} : { commit: req.body.commit }),
        actor: requesterOf(identities.get(req), req.body.requestedBy),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      });
      return reply.code(out.status).send(out.body);
    });
    typed.post(
      "/api/v1/releases/:ns/:rollout/:version/actions",
      { schema: { params: ActionParams, body: ActionBody } },
      async (req, reply) => {
        const who = identities.get(req) ?? { kind: "shared" };
        const declared = req.body.actor;
        const resolved = actorFor(who, req.body.action, declared === undefined ? undefined : typeof declared === "string" ? { kind: "api", id: declared } : declared);
        if ("refused" in resolved) return reply.code(403).send({ error: resolved.refused });
        const { actor, groups } = resolved;
        const key = header(req.headers["idempotency-key"]);
        const out = await deps.service.control({
          ...(groups === undefined ? {} : { groups }),
          releaseId: releaseIdOf(req.params.ns, req.params.rollout, req.params.version),
          action: req.body.action,
          actor,
          ...(req.body.reason === undefined ? {} : { reason: req.body.reason }),
          ...(key === undefined ? {} : { idempotencyKey: key }),
        });
        return reply.code(out.status).send(out.body);
      },
    );
  });
  capConnections(app, deps.limits);
  return app;
}
