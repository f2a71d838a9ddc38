/** The dashboard's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";

/** Settings of the dashboard. */
export const DashboardConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
    http: HttpConfig,
    /** The pages and API (`SISKIN_LISTEN_HOST`, `SISKIN_LISTEN_PORT`). */
    listen: Type.Object(
      {
        host: Type.String({ minLength: 1, default: "127.0.0.1" }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8084 }),
      },
      { additionalProperties: false },
    ),
    /** Prometheus base URL for the charts (`SISKIN_PROMETHEUS_URL`); without it the detail page has no metric charts. */
    prometheusUrl: Type.Optional(Type.String({ minLength: 1 })),
    /** Kubeconfig path (`SISKIN_KUBECONFIG`) for the VMI table; in-cluster or `$KUBECONFIG` defaults when unset. */
    kubeconfig: Type.Optional(Type.String({ minLength: 1 })),
    /** Base of Slack thread links (`SISKIN_SLACK_WORKSPACE_URL`, e.g. `https://acme.slack.com`); Slack's redirect when unset. */
    slackWorkspaceUrl: Type.Optional(Type.String({ minLength: 1 })),
    /** How far back the release histories (weights, intervals) are read from the EVENTS stream at start, in hours. */
    historyHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 30, default: 24 }),
    auth: Type.Object(
      {
        /**
         * Addresses of the OIDC proxy (oauth2-proxy) whose identity headers are believed
         * (`SISKIN_AUTH_TRUSTED_PROXIES`, comma-separated IPs or IPv4 CIDRs). Empty: headers are ignored.
         */
        trustedProxies: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
        /** Header naming the user (oauth2-proxy `--set-xauthrequest`: `X-Auth-Request-User`). */
        userHeader: Type.String({ minLength: 1, default: "x-auth-request-user" }),
        /** Header with the user's e-mail, also matched against the approvers. */
        emailHeader: Type.String({ minLength: 1, default: "x-auth-request-email" }),
        /** Header with the display name. */
        nameHeader: Type.String({ minLength: 1, default: "x-auth-request-preferred-username" }),
        /** Header with the groups, comma-separated. */
        groupsHeader: Type.String({ minLength: 1, default: "x-auth-request-groups" }),
        /**
         * Static bearer tokens for automation, stored hashed (`SISKIN_AUTH_TOKENS`, comma-separated):
         * `<user>:<sha256 hex of the token>[:<group>+<group>…]`. Redacted in logs.
         */
        tokens: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
        /** Let unauthenticated people read (never act). Off unless set (`SISKIN_AUTH_ANONYMOUS_READ=true`). */
        anonymousRead: Type.Boolean({ default: false }),
        /** Users or groups (`group:<name>`) who may pause, resume, abort and promote any release, besides its approvers. */
        operators: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
        /** Key of the CSRF tokens (`SISKIN_AUTH_CSRF_SECRET`); replicas behind one proxy must share it. Random per process when unset. */
        csrfSecret: Type.Optional(Type.String({ minLength: 16 })),
      },
      { additionalProperties: false },
    ),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type DashboardConfig = Static<typeof DashboardConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<DashboardConfig> {
  return loadConfig(DashboardConfig, env, { prefix: "SISKIN_" });
}
