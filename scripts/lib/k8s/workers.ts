/**
 * The Siskin workers as they run in a cluster: consumers (for KEDA), HTTP endpoints, Kubernetes
 * permissions, scaling bounds and the environment each one's config.ts reads. The manifests in
 * infra/k8s are generated from this table (scripts/lib/k8s/render.ts).
 */
import type { ConsumerName } from "../../../schemas/subjects.js";

/** One RBAC rule (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Where an environment variable's value comes from. */
export type EnvSource =
  | { value: string }
  /** A key of the ConfigMap `siskin-settings` (infra/k8s/base/settings.env; override it in an overlay). */
  | { setting: string }
  /** A key of a Secret; `optional` lets the pod start without it (the worker's config decides). */
  | { secret: string; key: string; optional?: boolean };

/** One worker's deployment facts. */
export interface WorkerSpec {
  /** The worker name: `siskin serve <name>`, NATS user, ServiceAccount `siskin-<name>`. */
  name: string;
  /** What it does, for the manifests' comments and docs. */
  description: string;
  /** Durable consumers it drains (KEDA scales on their backlog). */
  consumers: ConsumerName[];
  /**
   * The webhook listener of workers that receive HTTP calls from outside: its container port, the
   * variables of its host and port in the worker's config.ts, and what it serves. A Service
   * `siskin-<name>` exposes it on port 80.
   */
  service?: { port: number; hostEnv: string; portEnv: string; description: string };
  /** Cluster-wide permissions; none means no ServiceAccount token is mounted. */
  rules: Rule[];
  /** KEDA bounds; undefined means the worker is not autoscaled (it must run exactly once). */
  scaling?: { min: number; max: number; why: string };
  /** Worker-specific environment (the NATS and HTTP variables are added for every worker). */
  env: Record<string, EnvSource>;
  /** Memory limit (the request is half of it). */
  memory: string;
}

/** The namespace-independent Secret names users create (docs/install.md). */
export const SecretName = {
  /** One key per NATS user: `admin`, `orchestrator`, `k8s-watcher`, … */
  natsUsers: "siskin-nats-users",
  /** Slack, GitHub and API credentials. */
  credentials: "siskin-credentials",
} as const;

/** The container image every worker runs. */
export const IMAGE = "ghcr.io/siskin-dev/siskin:0.1.0";
/** The port of `/healthz`, `/readyz` and `/metrics` of every worker. */
export const HTTP_PORT = 8080;
/** In-cluster address of the NATS client service (same namespace). */
export const NATS_URL = "nats://siskin-nats:4222";

/** Namespace label that admits a namespace's pods (Prometheus) to the metrics ports. */
export const MONITORING_NAMESPACE_LABEL = "siskin.dev/monitoring";

/** Who may read monitoring ports: KEDA's namespace and namespaces labelled {@link MONITORING_NAMESPACE_LABEL}=true. */
export const monitoringPeers = [
  { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "keda" } } },
  { namespaceSelector: { matchLabels: { [MONITORING_NAMESPACE_LABEL]: "true" } } },
];

/** The ConfigMap of cluster-specific, non-secret settings. */
export const SETTINGS_CONFIGMAP = "siskin-settings";

const cred = (key: string, optional = false): EnvSource => ({ secret: SecretName.credentials, key, ...(optional ? { optional } : {}) });
const setting = (key: string): EnvSource => ({ setting: key });
const readOnly = ["get", "list", "watch"];

/** Every worker, in the order of the architecture's flow. */
export const workers: readonly WorkerSpec[] = [
  {
    name: "release-trigger",
    description: "GitHub tag webhook and the release API: cmd.orchestrator.release",
    consumers: [],
    service: {
      port: 8082,
      hostEnv: "SISKIN_LISTEN_HOST",
      portEnv: "SISKIN_LISTEN_PORT",
      description: "GitHub webhook (POST /webhooks/github) and release API (POST /api/v1/releases)",
    },
    rules: [{ apiGroups: ["siskin.dev"], resources: ["vmrollouts"], verbs: ["get", "list"] }],
    scaling: { min: 1, max: 3, why: "it serves GitHub webhooks and the release API, which must always answer" },
    env: {
      SISKIN_GITHUB_WEBHOOK_SECRET: cred("github-webhook-secret"),
      SISKIN_API_TOKEN: cred("api-token"),
      // Per-person tokens (SHA-256 digest → user, groups): the only API callers who may approve (docs/security.md).
      SISKIN_API_PEOPLE: cred("api-people", true),
    },
    memory: "256Mi",
  },
  {
    name: "dashboard",
    description: "the web dashboard: releases, live charts, and actions by authenticated approvers (cmd.orchestrator.control)",
    consumers: [],
    service: {
      port: 8084,
      hostEnv: "SISKIN_LISTEN_HOST",
      portEnv: "SISKIN_LISTEN_PORT",
      description: "pages and API for people, behind the OIDC proxy (oauth2-proxy; docs/dashboard.md)",
    },
    rules: [{ apiGroups: ["kubevirt.io"], resources: ["virtualmachineinstances", "virtualmachineinstancemigrations"], verbs: ["get", "list"] }],
    scaling: { min: 1, max: 3, why: "people open it at any time; every replica keeps its own single event subscription" },
    env: {
      SISKIN_PROMETHEUS_URL: setting("prometheus-url"),
      SISKIN_AUTH_TRUSTED_PROXIES: setting("dashboard-trusted-proxies"),
      SISKIN_AUTH_TOKENS: cred("dashboard-tokens", true),
      SISKIN_AUTH_CSRF_SECRET: cred("dashboard-csrf-secret"),
    },
    memory: "256Mi",
  },
  {
    name: "orchestrator",
    description: "hosts each release's statechart: events in, commands out",
    consumers: ["orchestrator", "orchestratorControl", "orchestratorDecide", "orchestratorRelease"],
    // A release's spec is read from its VMRollout, never taken from the request message.
    rules: [{ apiGroups: ["siskin.dev"], resources: ["vmrollouts"], verbs: ["get"] }],
    scaling: {
      min: 1,
      max: 5,
      why: "its ticker sends `tick {now}` to every live release, driving bake times, approval deadlines and progress deadlines; with no replica no deadline fires",
    },
    // Its NATS user may not create streams: `siskin provision --replicas 3` runs once as siskin-admin.
    env: { SISKIN_PROVISION: { value: "false" } },
    memory: "384Mi",
  },
  {
    name: "vm-provisioner",
    description: "cmd.vm.*: creates the canary VirtualMachine, stops old versions",
    consumers: ["vmProvisioner"],
    rules: [
      { apiGroups: ["kubevirt.io"], resources: ["virtualmachines"], verbs: ["get", "list", "watch", "create", "patch", "delete"] },
      { apiGroups: [""], resources: ["services"], verbs: readOnly },
      // Preflight: the DestinationRule must have (or be able to get) the canary's subset.
      { apiGroups: ["networking.istio.io"], resources: ["destinationrules"], verbs: ["get"] },
    ],
    scaling: { min: 0, max: 3, why: "it only handles commands" },
    env: {},
    memory: "256Mi",
  },
  {
    name: "k8s-watcher",
    description: "watches VMIs, migrations, Events, VirtualServices and VMRollouts: evt.vm.*, evt.rollout.*; writes a VMRollout's SpecValid condition",
    consumers: [],
    rules: [
      { apiGroups: ["kubevirt.io"], resources: ["virtualmachineinstances", "virtualmachineinstancemigrations"], verbs: readOnly },
      { apiGroups: [""], resources: ["events"], verbs: readOnly },
      { apiGroups: ["networking.istio.io"], resources: ["virtualservices"], verbs: readOnly },
      { apiGroups: ["siskin.dev"], resources: ["vmrollouts"], verbs: readOnly },
      // The SpecValid condition (and phase InvalidSpec) of each VMRollout it validates.
      { apiGroups: ["siskin.dev"], resources: ["vmrollouts/status"], verbs: ["get", "update"] },
    ],
    env: {},
    memory: "384Mi",
  },
  {
    name: "traffic-router",
    description: "cmd.traffic.set_weights: patches VirtualService weights and reads them back",
    consumers: ["trafficRouter"],
    rules: [{ apiGroups: ["networking.istio.io"], resources: ["virtualservices", "destinationrules"], verbs: ["get", "update", "patch"] }],
    scaling: { min: 0, max: 3, why: "it only handles commands" },
    env: {},
    memory: "256Mi",
  },
  {
    name: "metrics-analyzer",
    description: "cmd.analysis.*: one batched PromQL query per metric per interval",
    consumers: ["metricsAnalyzer"],
    rules: [],
    scaling: {
      min: 1,
      max: 3,
      why: "after cmd.analysis.start its interval loop judges every release registered in the analyses bucket; that work is no consumer backlog, so at zero replicas running analyses would stop",
    },
    env: {
      SISKIN_PROMETHEUS_URL: setting("prometheus-url"),
      SISKIN_PROMETHEUS_TOKEN: cred("prometheus-token", true),
    },
    memory: "256Mi",
  },
  {
    name: "alert-ingest",
    description: "Alertmanager webhook: evt.alert.fired, evt.alert.resolved",
    consumers: [],
    service: {
      port: 8081,
      hostEnv: "SISKIN_WEBHOOK_HOST",
      portEnv: "SISKIN_WEBHOOK_PORT",
      description: "Alertmanager webhook receiver (POST /webhooks/alertmanager)",
    },
    rules: [],
    scaling: { min: 1, max: 3, why: "Alertmanager must always reach it; a firing alert is the fast rollback path" },
    env: { SISKIN_WEBHOOK_TOKEN: cred("alertmanager-token") },
    memory: "256Mi",
  },
  {
    name: "approval-gateway",
    description: "cmd.approval.*: asks approvers in Slack, receives their decision",
    consumers: ["approvalGateway"],
    service: {
      port: 8083,
      hostEnv: "SISKIN_INTERACTIVITY_HOST",
      portEnv: "SISKIN_INTERACTIVITY_PORT",
      description: "Slack interactivity request URL (POST /slack/events)",
    },
    rules: [],
    scaling: { min: 1, max: 3, why: "Slack posts button clicks to it and expects an answer within 3 seconds" },
    env: {
      SISKIN_SLACK_BOT_TOKEN: cred("slack-bot-token"),
      SISKIN_SLACK_SIGNING_SECRET: cred("slack-signing-secret"),
      SISKIN_SLACK_DEFAULT_CHANNEL: setting("slack-default-channel"),
    },
    memory: "256Mi",
  },
  {
    name: "notifier",
    description: "evt.release.*, cmd.notify.send: one Slack thread per release, generic webhooks",
    consumers: ["notifierEvents", "notifierCommands"],
    rules: [],
    scaling: { min: 0, max: 3, why: "it only handles messages" },
    env: {
      SISKIN_SLACK_BOT_TOKEN: cred("slack-bot-token"),
      SISKIN_SLACK_DEFAULT_CHANNEL: setting("slack-default-channel"),
      SISKIN_WEBHOOKS_SECRET: cred("notify-webhooks-secret", true),
    },
    memory: "256Mi",
  },
  {
    name: "status-writer",
    description: "cmd.status.write: VMRollout status and Kubernetes Events",
    consumers: ["statusWriter"],
    rules: [
      { apiGroups: ["siskin.dev"], resources: ["vmrollouts"], verbs: ["get"] },
      { apiGroups: ["siskin.dev"], resources: ["vmrollouts/status"], verbs: ["get", "update", "patch"] },
      { apiGroups: [""], resources: ["events"], verbs: ["create"] },
    ],
    scaling: { min: 0, max: 3, why: "it only handles commands" },
    env: {},
    memory: "256Mi",
  },
];

/** The worker of this name; throws naming the known ones. */
export function workerNamed(name: string): WorkerSpec {
  const w = workers.find((x) => x.name === name);
  if (w === undefined) throw new Error(`no worker named ${name}; known: ${workers.map((x) => x.name).join(", ")}`);
  return w;
}
