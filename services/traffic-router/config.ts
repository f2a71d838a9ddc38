/** The traffic-router's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";
import { DEFAULT_MAX_DELIVER } from "../runtime/provision.js";

/** Settings of the traffic-router. */
export const RouterConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
    http: HttpConfig,
    /** kubeconfig file (`SISKIN_KUBECONFIG`); absent: in-cluster service account, else `~/.kube/config`. */
    kubeconfig: Type.Optional(Type.String({ minLength: 1 })),
    /** networking.istio.io version served by the cluster (`v1` since Istio 1.22; `v1beta1` before). */
    istioApiVersion: Type.String({ enum: ["v1", "v1beta1", "v1alpha3"], default: "v1" }),
    /** Writes tried per object within one delivery when others keep changing it (409 Conflict). */
    maxAttempts: Type.Integer({ minimum: 1, maximum: 50, default: 5 }),
    /** Deliveries of one command before it is dead-lettered (and reported as weights_failed, retryable). */
    maxDeliver: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_MAX_DELIVER }),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type RouterConfig = Static<typeof RouterConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<RouterConfig> {
  return loadConfig(RouterConfig, env, { prefix: "SISKIN_" });
}
