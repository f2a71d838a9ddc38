/** alert-ingest's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { SiskinError } from "../../schemas/errors.js";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";

/** Settings of alert-ingest. */
export const AlertIngestConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
    http: HttpConfig,
    /** The webhook listener (`SISKIN_WEBHOOK_HOST`, `SISKIN_WEBHOOK_PORT`). */
    webhook: Type.Object(
      {
        host: Type.String({ minLength: 1, default: "127.0.0.1" }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8081 }),
        /** Largest body accepted (bytes). */
        bodyLimit: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
        /** Bearer token Alertmanager must send (`SISKIN_WEBHOOK_TOKEN`); required unless `insecureNoAuth`. Redacted in logs. */
        token: Type.Optional(Type.String({ minLength: 16 })),
      },
      { additionalProperties: false },
    ),
    /**
     * `SISKIN_INSECURE_NO_AUTH=true`: run the webhook without a token. Only the simulated world sets
     * it; the worker then warns at start. Without it a missing token is a configuration error.
     */
    insecureNoAuth: Type.Boolean({ default: false }),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type AlertIngestConfig = Static<typeof AlertIngestConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<AlertIngestConfig> {
  const cfg = loadConfig(AlertIngestConfig, env, { prefix: "SISKIN_" });
  if (cfg.webhook.token === undefined && !cfg.insecureNoAuth) {
    throw new SiskinError(
      "SISKIN_ERR_INVALID_CONFIG",
      "invalid configuration:\n  SISKIN_WEBHOOK_TOKEN: is required (at least 16 characters; Alertmanager sends it as http_config.authorization.credentials); " +
        "set SISKIN_INSECURE_NO_AUTH=true only in a simulation",
    );
  }
  return cfg;
}
