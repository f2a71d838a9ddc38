/**
 * The environment each worker of the simulated world gets: every `SISKIN_*` variable its config.ts
 * reads, pointing at the world's loopback servers. Pure: the world passes ports, paths and secrets.
 */
import { createHash } from "node:crypto";

/** The workers, in the order the world starts them (the orchestrator last: it drives the others). */
export const WorkerNames = [
  "status-writer",
  "k8s-watcher",
  "vm-provisioner",
  "traffic-router",
  "metrics-analyzer",
  "alert-ingest",
  "approval-gateway",
  "notifier",
  "release-trigger",
  "dashboard",
  "orchestrator",
] as const;
export type WorkerName = (typeof WorkerNames)[number];

/** Shared secrets between the simulators and the workers (the world's own; nothing real). */
export interface WorldSecrets {
  /** GitHub webhook secret (sim-git signs, release-trigger checks). */
  githubWebhook: string;
  /** Slack signing secret (sim-slack signs clicks, approval-gateway checks). */
  slackSigning: string;
  /** Slack bot token (sim-slack accepts it). */
  slackBotToken: string;
  /** Bearer token of release-trigger's `/api/v1`. */
  releaseApi: string;
  /** The dashboard's bearer token of the on-call user (stored hashed in the dashboard's environment). */
  dashboardOnCall: string;
}

/** The default secrets of the simulated world. */
export const defaultSecrets: WorldSecrets = {
  githubWebhook: "sim-github-webhook-secret",
  slackSigning: "sim-slack-signing-secret",
  slackBotToken: "xoxb-sim-slack-token",
  releaseApi: "sim-release-api-token-0123456789",
  dashboardOnCall: "sim-dashboard-oncall-token-0123456789",
};

/** What the worker environments are made of. */
export interface WorkerEnvInput {
  natsUrl: string;
  kubeconfigPath: string;
  prometheusUrl: string;
  /** sim-slack's Web API base, `http://127.0.0.1:<port>/api/`. */
  slackApiUrl: string;
  slackChannel: string;
  secrets: WorldSecrets;
  /** Listener ports of the workers that receive HTTP from the simulators. */
  ports: { releaseTrigger: number; alertIngest: number; approvalGateway: number; dashboard: number };
  /** pino level of every worker. */
  logLevel: string;
  /** Orchestrator ticker (ms). */
  orchestratorTickMs: number;
  /** Analyzer ticker (ms). */
  analyzerTickMs: number;
  /** Approval expiry check (s). */
  approvalTickSeconds: number;
}

/** The environment of one worker. */
export function workerEnv(worker: WorkerName, i: WorkerEnvInput): Record<string, string> {
  const common = {
    SISKIN_NATS_SERVERS: i.natsUrl,
    SISKIN_HTTP_HOST: "127.0.0.1",
    SISKIN_HTTP_PORT: "0",
    SISKIN_LOG_LEVEL: i.logLevel,
  };
  const kube = { SISKIN_KUBECONFIG: i.kubeconfigPath };
  const slack = { SISKIN_SLACK_BOT_TOKEN: i.secrets.slackBotToken, SISKIN_SLACK_API_URL: i.slackApiUrl, SISKIN_SLACK_DEFAULT_CHANNEL: i.slackChannel };
  switch (worker) {
    case "status-writer":
    case "k8s-watcher":
    case "vm-provisioner":
    case "traffic-router":
      return { ...common, ...kube };
    case "metrics-analyzer":
      return { ...common, SISKIN_PROMETHEUS_URL: i.prometheusUrl, SISKIN_TICK_MS: String(i.analyzerTickMs) };
    case "alert-ingest":
      // The simulated Alertmanager sends no credentials: the one place SISKIN_INSECURE_NO_AUTH is set.
      return { ...common, SISKIN_WEBHOOK_HOST: "127.0.0.1", SISKIN_WEBHOOK_PORT: String(i.ports.alertIngest), SISKIN_INSECURE_NO_AUTH: "true" };
    case "approval-gateway":
      return {
        ...common,
        ...slack,
        SISKIN_SLACK_SIGNING_SECRET: i.secrets.slackSigning,
        SISKIN_INTERACTIVITY_HOST: "127.0.0.1",
        SISKIN_INTERACTIVITY_PORT: String(i.ports.approvalGateway),
        SISKIN_TICK_SECONDS: String(i.approvalTickSeconds),
      };
    case "notifier":
      return { ...common, ...slack };
    case "release-trigger":
      return {
        ...common,
        ...kube,
        SISKIN_LISTEN_HOST: "127.0.0.1",
        SISKIN_LISTEN_PORT: String(i.ports.releaseTrigger),
        SISKIN_GITHUB_WEBHOOK_SECRET: i.secrets.githubWebhook,
        SISKIN_API_TOKEN: i.secrets.releaseApi,
      };
    case "dashboard":
      // Loopback stands in for the OIDC proxy (anything local may claim an identity: fine for the
      // simulated world only); anonymous people may look, and the on-call user has a token.
      return {
        ...common,
        ...kube,
        SISKIN_LISTEN_HOST: "127.0.0.1",
        SISKIN_LISTEN_PORT: String(i.ports.dashboard),
        SISKIN_PROMETHEUS_URL: i.prometheusUrl,
        SISKIN_AUTH_TRUSTED_PROXIES: "127.0.0.1,::1",
        SISKIN_AUTH_ANONYMOUS_READ: "true",
        SISKIN_AUTH_TOKENS: `U0ONCALL1:${createHash("sha256").update(i.secrets.dashboardOnCall).digest("hex")}`,
      };
    case "orchestrator":
      return { ...common, ...kube, SISKIN_TICK_MS: String(i.orchestratorTickMs) };
    default: {
      const never: never = worker;
      throw new Error(`sim-world: no environment for worker ${String(never)}; add it to workerEnv`);
    }
  }
}

/** The URLs the simulators call, from the worker ports. */
export function workerUrls(ports: WorkerEnvInput["ports"]): { releaseTrigger: string; githubWebhook: string; alertmanagerWebhook: string; interactivity: string; dashboard: string } {
  const releaseTrigger = `http://127.0.0.1:${ports.releaseTrigger}`;
  return {
    releaseTrigger,
    dashboard: `http://127.0.0.1:${ports.dashboard}`,
    githubWebhook: `${releaseTrigger}/webhooks/github`,
    alertmanagerWebhook: `http://127.0.0.1:${ports.alertIngest}/webhooks/alertmanager`,
    interactivity: `http://127.0.0.1:${ports.approvalGateway}/slack/events`,
  };
}
