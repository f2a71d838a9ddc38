/** The metrics-analyzer's configuration (`SISKIN_*` variables), validated once and frozen. */
import { Type, type Static } from "typebox";
import { HttpConfig, loadConfig, NatsConfig } from "../runtime/config.js";

const LabelName = Type.String({ pattern: "^[a-zA-Z_][a-zA-Z0-9_]*$" });

/** Settings of the metrics-analyzer. */
export const AnalyzerConfig = Type.Object(
  {
    nats: NatsConfig,
    /** Health and `/metrics` listener (`SISKIN_HTTP_HOST`, `SISKIN_HTTP_PORT`). */
    http: HttpConfig,
    /** Prometheus base URL (`SISKIN_PROMETHEUS_URL`). */
    prometheusUrl: Type.String({ minLength: 1, default: "http://127.0.0.1:9090" }),
    /** Bearer token sent to Prometheus, when it needs one. Redacted in logs. */
    prometheusToken: Type.Optional(Type.String({ minLength: 1 })),
    /** Per-query timeout (ms). */
    prometheusTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
    /** How often the analyzer looks for due windows (ms); a window is judged at most this long after it ends. */
    tickMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 1_000 }),
    /** PromQL queries in flight at once. */
    queryConcurrency: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
    /** Series label carrying the namespace. */
    namespaceLabel: Type.String({ ...LabelName, default: "destination_workload_namespace" }),
    /** Series label carrying the service. */
    serviceLabel: Type.String({ ...LabelName, default: "destination_canonical_service" }),
    /** Series label carrying the version (Istio derives `destination_version` from the pod's `version` label). */
    versionLabel: Type.String({ ...LabelName, default: "destination_version" }),
    /** pino level. */
    logLevel: Type.String({ default: "info" }),
  },
  { additionalProperties: false },
);
export type AnalyzerConfig = Static<typeof AnalyzerConfig>;

/** Read the configuration from `env`; throws SISKIN_ERR_INVALID_CONFIG listing every problem. */
export function load(env: Record<string, string | undefined>): Readonly<AnalyzerConfig> {
  return loadConfig(AnalyzerConfig, env, { prefix: "SISKIN_" });
}
