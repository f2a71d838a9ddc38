/** status-writer's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";

/** Settings of status-writer. */
export const StatusWriterConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener. */
    http: HttpConfig,
    /** Path of a kubeconfig (`SISKIN_KUBECONFIG`); unset = in-cluster or `~/.kube/config`. */
    kubeconfig: Type.Optional(Type.String({ minLength: 1 })),
    /** Conflict retries of one status write. */
    maxAttempts: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type StatusWriterConfig = Static<typeof StatusWriterConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<StatusWriterConfig> {
  return loadConfig(StatusWriterConfig, env, { prefix: "SISKIN_" });
}
