/** notifier's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";

/** Settings of the notifier. */
export const NotifierConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
    http: HttpConfig,
    slack: Type.Object(
      {
        /** Bot token `xoxb-…` (`SISKIN_SLACK_BOT_TOKEN`). Redacted in logs. */
        botToken: Type.String({ minLength: 1 }),
        /** Web API base (`SISKIN_SLACK_API_URL`), e.g. sim-slack's `http://127.0.0.1:<port>/api/`. */
        apiUrl: Type.Optional(Type.String({ minLength: 1 })),
        /** Channel of releases whose rollout names none (`SISKIN_SLACK_DEFAULT_CHANNEL`). */
        defaultChannel: Type.String({ minLength: 1 }),
        /** 429s waited out per Slack call before the message is retried by redelivery. */
        maxRateLimitRetries: Type.Integer({ minimum: 0, maximum: 20, default: 5 }),
      },
      { additionalProperties: false },
    ),
    webhooks: Type.Object(
      {
        /** Signs generic webhooks (`X-Siskin-Signature-256`) when set (`SISKIN_WEBHOOKS_SECRET`). */
        secret: Type.Optional(Type.String({ minLength: 8 })),
        timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
      },
      { additionalProperties: false },
    ),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type NotifierConfig = Static<typeof NotifierConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<NotifierConfig> {
  return loadConfig(NotifierConfig, env, { prefix: "SISKIN_" });
}
