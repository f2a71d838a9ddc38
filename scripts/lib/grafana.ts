/**
 * The Grafana dashboard infra/grafana/siskin.json: releases by phase, canary weight per rollout,
 * verdicts (from kube-state-metrics' VMRollout metrics), Istio request rate, 5xx ratio and p99 per
 * version, and the workers' own message and query metrics.
 */
import { VMROLLOUT_METRIC_PREFIX } from "./k8s/monitoring.js";

/** One PromQL target of a panel. */
export interface Target {
  expr: string;
  legendFormat?: string;
  instant?: boolean;
}

interface PanelSpec {
  title: string;
  type: "timeseries" | "bargauge" | "table";
  description: string;
  unit?: string;
  targets: Target[];
  width?: number;
}

const ns = 'destination_workload_namespace=~"$namespace"';
const svc = 'destination_canonical_service=~"$service"';
const istio = (extra = "") => `{reporter="destination", ${ns}, ${svc}${extra}}`;
const byVersion = "destination_workload_namespace, destination_canonical_service, destination_version";
const versionLegend = "{{destination_canonical_service}} {{destination_version}}";
const ro = (metric: string) => `${VMROLLOUT_METRIC_PREFIX}_${metric}{namespace=~"$namespace"}`;

/** The dashboard's rows and panels. */
export const rows: Array<{ title: string; panels: PanelSpec[] }> = [
  {
    title: "Releases",
    panels: [
      {
        title: "VMRollouts by phase",
        type: "bargauge",
        description: "How many VMRollouts are in each phase (kube-state-metrics, from status.phase).",
        targets: [{ expr: `sum by (phase) (${ro("phase")})`, legendFormat: "{{phase}}", instant: true }],
        width: 8,
      },
      {
        title: "Canary weight per rollout",
        type: "timeseries",
        description: "Percent of traffic on the canary version (status.canaryWeight).",
        unit: "percent",
        targets: [{ expr: `max by (namespace, vmrollout) (${ro("canary_weight")})`, legendFormat: "{{namespace}}/{{vmrollout}}" }],
        width: 16,
      },
      {
        title: "Last verdict per metric",
        type: "table",
        description: "The last analysis verdict of every metric of every rollout (status.lastVerdicts).",
        targets: [{ expr: `max by (namespace, vmrollout, metric, verdict) (${ro("last_verdict")})`, instant: true }],
        width: 12,
      },
      {
        title: "Verdicts published",
        type: "timeseries",
        description: "evt.analysis.completed messages per second, by outcome (metrics-analyzer).",
        unit: "ops",
        targets: [{ expr: "sum by (outcome) (rate(siskin_analyzer_published_total[$__rate_interval]))", legendFormat: "{{outcome}}" }],
        width: 12,
      },
    ],
  },
  {
    title: "Traffic per version (Istio)",
    panels: [
      {
        title: "Request rate",
        type: "timeseries",
        description: "Requests per second each version served (reporter=destination: the VM's sidecar).",
        unit: "reqps",
        targets: [{ expr: `sum by (${byVersion}) (rate(istio_requests_total${istio()}[$__rate_interval]))`, legendFormat: versionLegend }],
      },
      {
        title: "5xx ratio",
        type: "timeseries",
        description: "Share of 5xx answers per version; 0 (not empty) for a version that served no 5xx.",
        unit: "percentunit",
        targets: [
          {
            expr:
              `(sum by (${byVersion}) (rate(istio_requests_total${istio(', response_code=~"5.."')}[$__rate_interval]))` +
              ` or 0 * sum by (${byVersion}) (rate(istio_requests_total${istio()}[$__rate_interval])))` +
              ` / sum by (${byVersion}) (rate(istio_requests_total${istio()}[$__rate_interval]))`,
            legendFormat: versionLegend,
          },
        ],
      },
      {
        title: "p99 latency",
        type: "timeseries",
        description: "99th percentile of request duration per version.",
        unit: "ms",
        targets: [
          {
            expr: `histogram_quantile(0.99, sum by (le, ${byVersion}) (rate(istio_request_duration_milliseconds_bucket${istio()}[$__rate_interval])))`,
            legendFormat: versionLegend,
          },
        ],
      },
    ],
  },
  {
    title: "Siskin workers",
    panels: [
      {
        title: "Messages handled per consumer",
        type: "timeseries",
        description: "Messages delivered to each durable consumer's handler.",
        unit: "ops",
        targets: [{ expr: "sum by (consumer) (rate(siskin_messages_handled_total[$__rate_interval]))", legendFormat: "{{consumer}}" }],
      },
      {
        title: "Retries and dead letters",
        type: "timeseries",
        description: "Naks (delayed retries) and dead-lettered messages per consumer; dead letters need a human.",
        unit: "ops",
        targets: [
          { expr: "sum by (consumer) (rate(siskin_messages_nacked_total[$__rate_interval]))", legendFormat: "retry {{consumer}}" },
          { expr: "sum by (consumer) (rate(siskin_messages_dead_lettered_total[$__rate_interval]))", legendFormat: "dead {{consumer}}" },
        ],
      },
      {
        title: "Handler p99",
        type: "timeseries",
        description: "99th percentile of the time a handler takes per message.",
        unit: "s",
        targets: [
          {
            expr: "histogram_quantile(0.99, sum by (le, consumer) (rate(siskin_message_handle_seconds_bucket[$__rate_interval])))",
            legendFormat: "{{consumer}}",
          },
        ],
      },
      {
        title: "PromQL queries of the analyzer",
        type: "timeseries",
        description: "Queries per second by kind and outcome: one per metric per interval, whatever the number of releases.",
        unit: "ops",
        targets: [{ expr: "sum by (kind, outcome) (rate(siskin_analyzer_queries_total[$__rate_interval]))", legendFormat: "{{kind}} {{outcome}}" }],
      },
    ],
  },
];

const datasource = { type: "prometheus", uid: "${datasource}" };

function templateVar(name: string, label: string, query: string): Record<string, unknown> {
  return {
    name,
    label,
    type: "query",
    datasource,
    query: { query, refId: `${name}-var` },
    definition: query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: ".*",
    current: { selected: true, text: ["All"], value: ["$__all"] },
    sort: 1,
  };
}

/** The dashboard JSON model (Grafana 10+ schema). */
export function dashboard(): Record<string, unknown> {
  const panels: Array<Record<string, unknown>> = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({ id: id++, type: "row", title: row.title, collapsed: false, gridPos: { x: 0, y: y++, w: 24, h: 1 }, panels: [] });
    let x = 0;
    for (const p of row.panels) {
      const w = p.width ?? 24 / row.panels.length;
      if (x + w > 24) {
        x = 0;
        y += 8;
      }
      panels.push({
        id: id++,
        type: p.type,
        title: p.title,
        description: p.description,
        datasource,
        gridPos: { x, y, w, h: 8 },
        fieldConfig: { defaults: { ...(p.unit === undefined ? {} : { unit: p.unit }) }, overrides: [] },
        options: p.type === "table" ? { showHeader: true } : {},
        targets: p.targets.map((t, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource,
          expr: t.expr,
          ...(t.legendFormat === undefined ? {} : { legendFormat: t.legendFormat }),
          ...(t.instant ? { instant: true, range: false, format: p.type === "table" ? "table" : "time_series" } : { range: true }),
        })),
      });
      x += w;
    }
    y += 8;
  }
  return {
    uid: "siskin-overview",
    title: "Siskin: progressive delivery of KubeVirt VMs",
    tags: ["siskin", "kubevirt", "istio"],
    timezone: "browser",
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-3h", to: "now" },
    templating: {
      list: [
        { name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", current: {}, hide: 0 },
        templateVar("namespace", "Namespace", 'label_values(istio_requests_total{reporter="destination"}, destination_workload_namespace)'),
        templateVar("service", "Service", `label_values(istio_requests_total{reporter="destination", ${ns}}, destination_canonical_service)`),
      ],
    },
    annotations: { list: [] },
    panels,
  };
}
