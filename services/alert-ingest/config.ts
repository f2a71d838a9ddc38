/** alert-ingest's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
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
        /** Bearer token Alertmanager must send (`SISKIN_WEBHOOK_TOKEN`); unset = no auth. Redacted in logs. */
        token: Type.Optional(Type.String({ minLength: 16 })),
      },
      { additionalProperties: false },
    ),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type AlertIngestConfig = Static<typeof AlertIngestConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<AlertIngestConfig> {
  return loadConfig(AlertIngestConfig, env, { prefix: "SISKIN_" });
}
