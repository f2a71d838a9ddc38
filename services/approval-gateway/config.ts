/** approval-gateway's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";

/** Settings of approval-gateway. */
export const ApprovalGatewayConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
    http: HttpConfig,
    slack: Type.Object(
      {
        /** Bot token `xoxb-…` (`SISKIN_SLACK_BOT_TOKEN`). Redacted in logs. */
        botToken: Type.String({ minLength: 1 }),
        /** App signing secret (`SISKIN_SLACK_SIGNING_SECRET`). Redacted in logs. */
        signingSecret: Type.String({ minLength: 1 }),
        /** Web API base (`SISKIN_SLACK_API_URL`), e.g. sim-slack's `http://127.0.0.1:<port>/api/`. */
        apiUrl: Type.Optional(Type.String({ minLength: 1 })),
        /** Channel for requests of releases without a thread or channel (`SISKIN_SLACK_DEFAULT_CHANNEL`). */
        defaultChannel: Type.String({ minLength: 1 }),
      },
      { additionalProperties: false },
    ),
    /** The interactivity listener Slack POSTs clicks to (`SISKIN_INTERACTIVITY_HOST`, `_PORT`, `_PATH`). */
    interactivity: Type.Object(
      {
        host: Type.String({ minLength: 1, default: "127.0.0.1" }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8083 }),
        path: Type.String({ minLength: 1, default: "/slack/events" }),
        /** Answer Slack after handling the click (true) or at the ack (false). */
        processBeforeResponse: Type.Boolean({ default: true }),
      },
      { additionalProperties: false },
    ),
    /** How often open requests are checked for expiry (`SISKIN_TICK_SECONDS`). */
    tickSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 15 }),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type ApprovalGatewayConfig = Static<typeof ApprovalGatewayConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<ApprovalGatewayConfig> {
  return loadConfig(ApprovalGatewayConfig, env, { prefix: "SISKIN_" });
}
