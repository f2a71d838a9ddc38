/** release-trigger's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { SiskinError } from "../../schemas/errors.js";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";

/** Settings of release-trigger. */
export const ReleaseTriggerConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
    http: HttpConfig,
    /** The webhook + API listener (`SISKIN_LISTEN_HOST`, `SISKIN_LISTEN_PORT`). */
    listen: Type.Object(
      {
        host: Type.String({ minLength: 1, default: "127.0.0.1" }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8082 }),
      },
      { additionalProperties: false },
    ),
    github: Type.Object(
      {
        /** The secret set on the GitHub webhook (`SISKIN_GITHUB_WEBHOOK_SECRET`). Redacted in logs. */
        webhookSecret: Type.String({ minLength: 8 }),
      },
      { additionalProperties: false },
    ),
    api: Type.Object(
      {
        /**
         * Shared bearer token of `/api/v1/*` (`SISKIN_API_TOKEN`): may ask for releases, pause, resume
         * and abort, never approve, reject or promote. Redacted in logs.
         */
        token: Type.String({ minLength: 16 }),
        /**
         * Per-person tokens (`SISKIN_API_PEOPLE`, JSON): the SHA-256 hex digest of each token → `{user,
         * name?, groups?}`. `user` is the approver id (a Slack user id). Only digests are stored.
         */
        people: Type.Record(
          Type.String({ pattern: "^[0-9a-fA-F]{64}$" }),
          Type.Object(
            {
              user: Type.String({ minLength: 1, maxLength: 200 }),
              name: Type.Optional(Type.String({ maxLength: 200 })),
              groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 })),
            },
            { additionalProperties: false },
          ),
          { default: {} },
        ),
      },
      { additionalProperties: false },
    ),
    /**
     * Namespaces whose VMRollouts take releases (`SISKIN_NAMESPACES`, comma-separated); empty: all
     * (cluster-wide list). A namespaced install sets it to the namespaces it binds roles in.
     */
    namespaces: Type.Array(Type.String({ pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" }), { default: [] }),
    /** Kubeconfig path (`SISKIN_KUBECONFIG`); in-cluster or `$KUBECONFIG` defaults when unset. */
    kubeconfig: Type.Optional(Type.String({ minLength: 1 })),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type ReleaseTriggerConfig = Static<typeof ReleaseTriggerConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<ReleaseTriggerConfig> {
  const cfg = loadConfig(ReleaseTriggerConfig, env, { prefix: "SISKIN_" });
  // Only digests are stored: a key that is not one is most likely a token pasted in clear.
  const bad = Object.keys(cfg.api.people).filter((k) => !/^[0-9a-fA-F]{64}$/.test(k));
  if (bad.length > 0) {
    throw new SiskinError("SISKIN_ERR_INVALID_CONFIG", `invalid configuration:\n  SISKIN_API_PEOPLE: ${bad.length} key(s) are not SHA-256 hex digests; store printf %s "$TOKEN" | sha256sum, never the token`);
  }
  return cfg;
}
