// The alerting pipeline's configuration: Prometheus (scrapes sim-mesh, evaluates Siskin's rules every
// second) and Alertmanager (routes to alert-ingest's webhook). The files under infra/ are the
// docker-compose renderings of these functions; tests render them with loopback addresses.
import { fileURLToPath } from "node:url";
import YAML from "yaml";

/** Path of Siskin's recording and alerting rules (infra/prometheus/rules/siskin.rules.yml). */
export const rulesFilePath = fileURLToPath(new URL("../../infra/prometheus/rules/siskin.rules.yml", import.meta.url));
/** Path of the docker-compose prometheus.yml. */
export const prometheusConfigPath = fileURLToPath(new URL("../../infra/prometheus/prometheus.yml", import.meta.url));
/** Path of the docker-compose alertmanager.yml. */
export const alertmanagerConfigPath = fileURLToPath(new URL("../../infra/alertmanager/alertmanager.yml", import.meta.url));

/** Where the docker-compose services listen. */
export const ComposeTargets = {
  mesh: "sim-mesh:9464",
  alertmanager: "alertmanager:9093",
  ruleFiles: ["rules/siskin.rules.yml"],
  webhookUrl: "http://alert-ingest:8080/webhooks/alertmanager",
} as const;

/** Inputs of {@link renderPrometheusConfig}. */
export interface PrometheusConfigInput {
  /** host:port of sim-mesh's /metrics. */
  meshTarget: string;
  /** host:port of Alertmanager; omit to run without alerting. */
  alertmanagerTarget?: string;
  /** Rule file paths, relative to prometheus.yml or absolute. */
  ruleFiles?: readonly string[];
  /** Scrape and evaluation interval (default "1s": the simulation runs in seconds). */
  interval?: string;
}

/** prometheus.yml: 1 s scrape and evaluation, one job `sim-mesh`, Alertmanager and rule files. */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const interval = input.interval ?? "1s";
  const config: Record<string, unknown> = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: [...(input.ruleFiles ?? [])],
    scrape_configs: [
      { job_name: "sim-mesh", metrics_path: "/metrics", static_configs: [{ targets: [input.meshTarget] }] },
    ],
  };
  if (input.alertmanagerTarget !== undefined) {
    config["alerting"] = { alertmanagers: [{ static_configs: [{ targets: [input.alertmanagerTarget] }] }] };
  }
  return `# Rendered by sim/mesh/pipeline.ts renderPrometheusConfig; edit there.\n${YAML.stringify(config)}`;
}

/** Inputs of {@link renderAlertmanagerConfig}. */
export interface AlertmanagerConfigInput {
  /** alert-ingest's webhook URL. */
  webhookUrl: string;
  /** Repeat interval (default "1m"). */
  repeatInterval?: string;
}

/** Name of the receiver that posts to alert-ingest (Alertmanager sends it regexp-quoted: `siskin-alert-ingest`). */
export const ReceiverName = "siskin-alert-ingest";

/**
 * alertmanager.yml: every alert goes to alert-ingest (it matches alerts to rollouts itself), grouped by
 * alert and release coordinates, flushed after 1 s, repeated every minute, resolved ones sent too.
 */
export function renderAlertmanagerConfig(input: AlertmanagerConfigInput): string {
  const config = {
    route: {
      receiver: ReceiverName,
      group_by: ["alertname", "namespace", "service", "version"],
      group_wait: "1s",
      group_interval: "1s",
      repeat_interval: input.repeatInterval ?? "1m",
    },
    receivers: [{ name: ReceiverName, webhook_configs: [{ url: input.webhookUrl, send_resolved: true }] }],
  };
  return `# Rendered by sim/mesh/pipeline.ts renderAlertmanagerConfig; edit there.\n${YAML.stringify(config)}`;
}
