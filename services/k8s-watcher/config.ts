/** The k8s-watcher's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";

/** Settings of the k8s-watcher. */
export const WatcherConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
    http: HttpConfig,
    /** kubeconfig file (`SISKIN_KUBECONFIG`); absent: in-cluster service account, else `~/.kube/config`. */
    kubeconfig: Type.Optional(Type.String({ minLength: 1 })),
    /** Namespaces to watch, comma-separated; empty: all namespaces (needs cluster-wide list/watch). */
    namespaces: Type.Array(Type.String({ pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" }), { default: [] }),
    /** networking.istio.io version served by the cluster (`v1` since Istio 1.22; `v1beta1` before). */
    istioApiVersion: Type.String({ enum: ["v1", "v1beta1", "v1alpha3"], default: "v1" }),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type WatcherConfig = Static<typeof WatcherConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<WatcherConfig> {
  return loadConfig(WatcherConfig, env, { prefix: "SISKIN_" });
}
