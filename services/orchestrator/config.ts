/** The orchestrator's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";

/** Settings of the orchestrator. */
export const OrchestratorConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
    http: HttpConfig,
    /** How often the ticker sends `tick {now}` to the live releases that have something due (`SISKIN_TICK_MS`). */
    tickMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 1000 }),
    /** Load/apply/save attempts per release and event before the event is nak'ed for a later retry (`SISKIN_MAX_ATTEMPTS`). */
    maxAttempts: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
    /** Create the streams, consumers and buckets at start (idempotent), so a fresh NATS works (`SISKIN_PROVISION`). */
    provision: Type.Boolean({ default: true }),
    /** Stream and bucket replicas when provisioning (`SISKIN_REPLICAS`): 1 on one server, 3 on a cluster. */
    replicas: Type.Integer({ minimum: 1, maximum: 5, default: 1 }),
    /** Kubeconfig path (`SISKIN_KUBECONFIG`) for reading VMRollouts; in-cluster or `$KUBECONFIG` defaults when unset. */
    kubeconfig: Type.Optional(Type.String({ minLength: 1 })),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type OrchestratorConfig = Static<typeof OrchestratorConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<OrchestratorConfig> {
  return loadConfig(OrchestratorConfig, env, { prefix: "SISKIN_" });
}
