/** Webhook bodies for tests: the upstream Alertmanager fixtures and hand-written variants. */
import { readFileSync } from "node:fs";
import type { AlertmanagerWebhook } from "../../schemas/alert.js";
import type { AlertRoute } from "./evaluate.js";

/** An upstream fixture by file name (test/fixtures/upstream/alertmanager). */
export function upstream(name: string): AlertmanagerWebhook {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/upstream/alertmanager/${name}`, import.meta.url), "utf8")) as AlertmanagerWebhook;
}

/** Every upstream fixture file. */
export const upstreamFixtures = [
  "webhook-v4-firing-3-alerts-blackbox.json",
  "webhook-v4-firing-no-alert-status-msteams.json",
  "webhook-v4-resolved-3-alerts-blackbox.json",
  "webhook-v4-resolved-k8s-deployment.json",
] as const;

/** A current (v0.25+) webhook body with one alert. */
export function webhook(labels: Record<string, string>, over: Partial<AlertmanagerWebhook["alerts"][number]> = {}, status = "firing"): AlertmanagerWebhook {
  return {
    version: "4",
    groupKey: '{}:{alertname="X"}',
    truncatedAlerts: 0,
    status,
    receiver: "siskin",
    groupLabels: {},
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    alerts: [
      {
        status,
        labels,
        annotations: { summary: "something is wrong" },
        startsAt: "2025-01-01T00:00:00.123456789Z",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus/graph",
        fingerprint: "0123456789abcdef",
        ...over,
      },
    ],
  };
}

/** Routes of three releases in flight. */
export const routes: AlertRoute[] = [
  { releaseId: "shop/ratings/v2", namespace: "shop", rollout: "ratings", service: "ratings", canaryVersion: "v2", matchers: [] },
  {
    releaseId: "shop/reviews-ro/v3.1.0",
    namespace: "shop",
    rollout: "reviews-ro",
    service: "reviews",
    canaryVersion: "v3.1.0",
    versionLabel: "release",
    matchers: [{ alertname: "ReviewsCanaryBroken", release: "{{version}}" }],
  },
  {
    releaseId: "monitoring/blackbox/v9",
    namespace: "monitoring",
    rollout: "blackbox",
    canaryVersion: "v9",
    matchers: [{}, { alertname: "ICMP ping failed", job: "blackbox-icmp" }],
  },
  {
    releaseId: "eric-eo-cm-ci406/log-transformer/v2",
    namespace: "eric-eo-cm-ci406",
    rollout: "log-transformer",
    canaryVersion: "v2",
    matchers: [{ namespace: "eric-eo-cm-ci406", deployment: "eric-log-transformer" }],
  },
];
