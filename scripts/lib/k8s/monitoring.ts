/**
 * Monitoring objects for a cluster with the Prometheus Operator: the PrometheusRule wrapping
 * infra/prometheus/rules/siskin.rules.yml (windows widened for real scrape intervals), a PodMonitor
 * for the workers' /metrics, and kube-state-metrics' custom-resource config exporting VMRollout status.
 */
import YAML from "yaml";
import { RolloutPhase, VMRolloutResource } from "../../../schemas/rollout.js";
import type { K8sObject } from "./objects.js";

/** The plain rules file the simulation's Prometheus loads (owned by the sim-mesh pipeline). */
export const RULES_FILE = "infra/prometheus/rules/siskin.rules.yml";

/** Shortest window and `for` a production rule gets: Prometheus scrapes Istio every 15–30 s, and rate() needs two samples. */
const MIN_WINDOW_S = 60;
const MIN_FOR_S = 30;

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

function seconds(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (m === null) throw new Error(`rule duration ${d} is not of the form <n>(ms|s|m|h)`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as "ms" | "s" | "m" | "h"];
}

/**
 * The rule groups for a production Prometheus: every range window shorter than a minute becomes
 * `[1m]` (and recording-rule names carrying the window, e.g. `rate10s`, are renamed to match
 * wherever they are used), and a shorter `for` becomes 30 s. The simulation scrapes every second;
 * a real one does not.
 */
export function productionRules(rulesYaml: string): RuleGroup[] {
  const doc = YAML.parse(rulesYaml) as { groups?: RuleGroup[] };
  if (!Array.isArray(doc.groups) || doc.groups.length === 0) throw new Error(`${RULES_FILE} has no rule groups`);
  const renames = new Map<string, string>();
  const short = (n: string) => Number(n) < MIN_WINDOW_S;
  for (const g of doc.groups) {
    for (const r of g.rules) {
      const m = r.record === undefined ? null : /(\d+)s$/.exec(r.record);
      if (r.record !== undefined && m !== null && short(m[1] as string)) renames.set(r.record, r.record.replace(/\d+s$/, "1m"));
    }
  }
  const rewrite = (text: string): string => {
    let out = text.replace(/\[(\d+)s\]/g, (all, n: string) => (short(n) ? "[1m]" : all));
    for (const [from, to] of renames) out = out.split(from).join(to);
    return out.replace(/\((\d+) s window\)/g, (all, n: string) => (short(n) ? "(1 m window)" : all));
  };
  return doc.groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => ({
      ...r,
      ...(r.record === undefined ? {} : { record: renames.get(r.record) ?? r.record }),
      expr: rewrite(r.expr),
      ...(r.for === undefined ? {} : { for: seconds(r.for) < MIN_FOR_S ? `${MIN_FOR_S}s` : r.for }),
      ...(r.annotations === undefined ? {} : { annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, rewrite(v)])) }),
    })),
  }));
}

/** The PrometheusRule wrapping the production rules. */
export function prometheusRule(rulesYaml: string): K8sObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: "siskin",
      // kube-prometheus-stack selects rules by its release label; patch it to your Prometheus' ruleSelector.
      labels: { "app.kubernetes.io/name": "siskin", "app.kubernetes.io/component": "rules", release: "kube-prometheus-stack" },
      annotations: { "siskin.dev/generated-from": RULES_FILE },
    },
    spec: { groups: productionRules(rulesYaml) },
  };
}

/** Scrapes every worker's /metrics (the pods also carry prometheus.io/* annotations for annotation-based setups). */
export function podMonitor(): K8sObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "siskin-workers", labels: { "app.kubernetes.io/name": "siskin", release: "kube-prometheus-stack" } },
    spec: {
      selector: {
        matchLabels: { "app.kubernetes.io/name": "siskin" },
        matchExpressions: [{ key: "app.kubernetes.io/component", operator: "NotIn", values: ["nats"] }],
      },
      podMetricsEndpoints: [{ port: "http", path: "/metrics", interval: "15s" }],
    },
  };
}

/** Prefix of the VMRollout metrics kube-state-metrics exports with {@link kubeStateMetricsConfig}. */
export const VMROLLOUT_METRIC_PREFIX = "siskin_vmrollout";

/**
 * kube-state-metrics custom-resource-state config: VMRollout phase (state set), canary weight,
 * versions and the last verdict per metric, labelled `namespace` and `vmrollout`.
 */
export function kubeStateMetricsConfig(): Record<string, unknown> {
  const r = VMRolloutResource;
  return {
    kind: "CustomResourceStateMetrics",
    spec: {
      resources: [
        {
          groupVersionKind: { group: r.group, version: r.version, kind: r.kind },
          metricNamePrefix: VMROLLOUT_METRIC_PREFIX,
          labelsFromPath: { namespace: ["metadata", "namespace"], vmrollout: ["metadata", "name"] },
          metrics: [
            {
              name: "phase",
              help: "VMRollout phase (1 for the current one).",
              each: { type: "StateSet", stateSet: { labelName: "phase", path: ["status", "phase"], list: [...RolloutPhase] } },
            },
            {
              name: "canary_weight",
              help: "Percent of traffic on the canary version.",
              each: { type: "Gauge", gauge: { path: ["status", "canaryWeight"] } },
            },
            {
              name: "current_step",
              help: "Index of the traffic step in progress.",
              each: { type: "Gauge", gauge: { path: ["status", "currentStep"] } },
            },
            {
              name: "info",
              help: "Stable and canary versions and the workflow state.",
              each: {
                type: "Info",
                info: { labelsFromPath: { stable: ["status", "stableVersion"], canary: ["status", "canaryVersion"], state: ["status", "state"] } },
              },
            },
            {
              name: "last_verdict",
              help: "The last analysis verdict per metric.",
              each: { type: "Info", info: { path: ["status", "lastVerdicts"], labelsFromPath: { metric: ["metric"], verdict: ["verdict"] } } },
            },
          ],
        },
      ],
    },
  };
}

/** The ConfigMap holding {@link kubeStateMetricsConfig}, and read access for kube-state-metrics' ServiceAccount. */
export function kubeStateMetricsObjects(): K8sObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "siskin-kube-state-metrics", labels: { "app.kubernetes.io/name": "siskin" } },
      data: { "vmrollouts.yaml": YAML.stringify(kubeStateMetricsConfig(), { lineWidth: 0 }) },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "siskin-kube-state-metrics", labels: { "app.kubernetes.io/name": "siskin" } },
      rules: [
        { apiGroups: [VMRolloutResource.group], resources: [VMRolloutResource.plural], verbs: ["list", "watch"] },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["list", "watch"] },
      ],
    },
  ];
}
