/**
 * startWorld: the whole simulated world on loopback, for the demo, `siskin sim up` and the end-to-end
 * tests. Real nats-server (provisioned), Prometheus (Siskin's rules) and Alertmanager (Siskin's route),
 * the cluster simulator loaded with BookInfo, the mesh with its load clients, sim-slack, sim-git, and
 * the workers (started through an injected `startWorker`: sim-world does not import the workers).
 */
import { readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { connectNats, provision } from "../../services/runtime/index.js";
import { startSimCluster, type RunningSimCluster } from "../cluster/index.js";
import { createSimGit, type SimGit } from "../git/sim.js";
import { startSimMesh, type SimMesh } from "../mesh/index.js";
import { renderAlertmanagerConfig, renderPrometheusConfig, rulesFilePath } from "../mesh/pipeline.js";
import { startSimSlack, type SimSlack } from "../slack/server.js";
import { loadClientsOf, type LoadClient } from "./load-clients.js";
import { freePort } from "./ports.js";
import { startAlertmanager, type AlertmanagerServer } from "./alertmanager-server.js";
import { startNats, type NatsServer } from "./nats-server.js";
import { startPrometheus, type PrometheusServer } from "./prometheus-server.js";
import { waitFor } from "./wait.js";
import { defaultSecrets, WorkerNames, workerEnv, workerUrls, type WorkerName, type WorldSecrets } from "./world-env.js";

/** BookInfo's manifests (infra/sim/bookinfo). */
export const bookinfoDir = fileURLToPath(new URL("../../infra/sim/bookinfo", import.meta.url));

/** Starts one worker in this process with the given environment (the CLI passes `serve`'s `startWorkers`). */
export type StartWorker = (name: WorkerName, env: Record<string, string>) => Promise<{ stop(): Promise<void> }>;

/** Timing of the world. Short by default: the demo plays four releases in a few minutes. */
export interface WorldIntervals {
  /** Prometheus scrape and rule evaluation interval (s). */
  prometheusSeconds: number;
  /** The cluster simulator's lifecycle tick (ms). */
  clusterTickMs: number;
  /** Orchestrator ticker (ms). */
  orchestratorTickMs: number;
  /** metrics-analyzer ticker (ms). */
  analyzerTickMs: number;
  /** approval-gateway expiry check (s). */
  approvalTickSeconds: number;
  /** When set, every loaded VMRollout's `analysis.intervalSeconds` becomes this. */
  analysisSeconds?: number;
  /** When set, every loaded VMRollout's `rollbackWindowSeconds` becomes this. */
  rollbackWindowSeconds?: number;
}

/** The default intervals (the VMRollouts keep their own analysis interval and rollback window). */
export const defaultIntervals: WorldIntervals = {
  prometheusSeconds: 1,
  clusterTickMs: 100,
  orchestratorTickMs: 250,
  analyzerTickMs: 250,
  approvalTickSeconds: 1,
};

/** Fixed ports (0 or absent: a free one). */
export interface WorldPorts {
  nats?: number;
  natsMonitor?: number;
  prometheus?: number;
  alertmanager?: number;
  cluster?: number;
  mesh?: number;
  slack?: number;
  releaseTrigger?: number;
  alertIngest?: number;
  approvalGateway?: number;
  dashboard?: number;
}

/** Options of {@link startWorld}. */
export interface WorldOptions {
  /** Where the world writes: `kubeconfig`, and `world/` (server data and logs, wiped at start). */
  dataDir: string;
  ports?: WorldPorts;
  intervals?: Partial<WorldIntervals>;
  /** Manifests applied to the cluster at start (default infra/sim/bookinfo). */
  manifestsDir?: string;
  /** Starts workers; without it the world runs no worker. */
  startWorker?: StartWorker;
  /** Which workers (default all, in {@link WorkerNames} order). */
  workers?: readonly WorkerName[];
  /** pino level of the workers (default "warn"). */
  logLevel?: string;
  secrets?: Partial<WorldSecrets>;
  /** Slack users (default the on-call `U0ONCALL1`). */
  slackUsers?: Array<{ id: string; name: string }>;
  /** Channel of releases without one (default `C0RELEASES`). */
  slackChannel?: string;
  /** Seed of the mesh's random streams (default 1). */
  seed?: number;
  /** Progress of the start-up, one line per part. */
  onProgress?: (line: string) => void;
  /**
   * An already provisioned NATS (e.g. a JetStream cluster): the world starts no nats-server, provisions
   * nothing, and gives the workers every URL.
   */
  externalNats?: { urls: readonly string[] };
}

/** A running world. */
export interface World {
  dataDir: string;
  kubeconfigPath: string;
  intervals: WorldIntervals;
  secrets: WorldSecrets;
  slackChannel: string;
  /** The world's own nats-server; undefined with {@link WorldOptions.externalNats}. */
  nats: NatsServer | undefined;
  prometheus: PrometheusServer;
  alertmanager: AlertmanagerServer;
  cluster: RunningSimCluster;
  mesh: SimMesh;
  slack: SimSlack;
  /** Signed GitHub deliveries to release-trigger's webhook. */
  git: SimGit;
  loadClients: LoadClient[];
  urls: {
    /** NATS client URL(s), comma-separated for an external cluster. */
    nats: string;
    /** The world's nats-server monitor (empty with an external NATS). */
    natsMonitor: string;
    prometheus: string;
    alertmanager: string;
    cluster: string;
    mesh: string;
    slack: string;
    slackApi: string;
    releaseTrigger: string;
    /** The dashboard's pages. */
    dashboard: string;
    githubWebhook: string;
    alertmanagerWebhook: string;
    interactivity: string;
  };
  /** Workers started, in order. */
  workers: WorkerName[];
  /** The environment each started worker got. */
  workerEnv(name: WorkerName): Record<string, string>;
  /** Stops workers, simulators and servers (in reverse order). Safe to call twice. */
  stop(): Promise<void>;
}

/** The default on-call user: the approver of the BookInfo rollout. */
export const onCallUser = { id: "U0ONCALL1", name: "oncall" } as const;

const isReady = (vmi: unknown): boolean =>
  ((vmi as { status?: { conditions?: Array<{ type: string; status: string }> } }).status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** Start the world; resolves once every server listens, the workers run and the loaded VMs are Ready. */
export async function startWorld(opts: WorldOptions): Promise<World> {
  const say = opts.onProgress ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  const serversDir = join(dataDir, "world");
  await rm(serversDir, { recursive: true, force: true });
  await mkdir(serversDir, { recursive: true });
  const intervals: WorldIntervals = { ...defaultIntervals, ...opts.intervals };
  const secrets: WorldSecrets = { ...defaultSecrets, ...opts.secrets };
  const slackChannel = opts.slackChannel ?? "C0RELEASES";
  const ports = opts.ports ?? {};
  const kubeconfigPath = join(dataDir, "kubeconfig");
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    while (stops.length > 0) await stops.pop()?.().catch(() => undefined);
  };

  try {
    let nats: NatsServer | undefined;
    if (opts.externalNats === undefined) {
      const own = await startNats({ dir: join(serversDir, "nats"), ...(ports.nats ? { port: ports.nats } : {}), ...(ports.natsMonitor ? { monitorPort: ports.natsMonitor } : {}) });
      nats = own;
      stops.push(() => own.stop());
      const nc = await connectNats({ servers: [own.url] }, "sim-world");
      try {
        await provision(nc);
      } finally {
        await nc.close();
      }
      say(`nats-server ${own.url} (JetStream provisioned)`);
    }
    const natsUrl = nats?.url ?? (opts.externalNats?.urls ?? []).join(",");

    const cluster = await startSimCluster({ port: ports.cluster ?? 0, loadDir: opts.manifestsDir ?? bookinfoDir, tickMs: intervals.clusterTickMs });
    stops.push(() => cluster.close());
    await cluster.writeKubeconfig(kubeconfigPath);
    overrideRollouts(cluster, intervals);
    say(`sim-cluster ${cluster.url} (kubeconfig ${kubeconfigPath})`);

    const loadClients = loadClientsOf(cluster.store.list("pods"));
    const mesh = await startSimMesh({
      kubeConfig: cluster.kubeConfig(),
      port: ports.mesh ?? 0,
      seed: opts.seed ?? 1,
      ...(loadClients[0] === undefined ? {} : { client: loadClients[0].identity }),
    });
    stops.push(() => mesh.close());
    say(`sim-mesh ${mesh.url} (metrics ${mesh.metricsUrl})`);

    const workerPorts = {
      releaseTrigger: ports.releaseTrigger || (await freePort()),
      alertIngest: ports.alertIngest || (await freePort()),
      approvalGateway: ports.approvalGateway || (await freePort()),
      dashboard: ports.dashboard || (await freePort()),
    };
    const wurls = workerUrls(workerPorts);

    const alertmanager = await startAlertmanager({
      configYaml: renderAlertmanagerConfig({ webhookUrl: wurls.alertmanagerWebhook }),
      dir: join(serversDir, "alertmanager"),
      ...(ports.alertmanager ? { port: ports.alertmanager } : {}),
    });
    stops.push(() => alertmanager.stop());
    const prometheus = await startPrometheus({
      configYaml: renderPrometheusConfig({
        meshTarget: `127.0.0.1:${mesh.port}`,
        alertmanagerTarget: `127.0.0.1:${alertmanager.port}`,
        ruleFiles: ["siskin.rules.yml"],
        interval: `${intervals.prometheusSeconds}s`,
      }),
      ruleFiles: { "siskin.rules.yml": readFileSync(rulesFilePath, "utf8") },
      dir: join(serversDir, "prometheus"),
      ...(ports.prometheus ? { port: ports.prometheus } : {}),
    });
    stops.push(() => prometheus.stop());
    say(`prometheus ${prometheus.url}, alertmanager ${alertmanager.url}`);

    const slack = await startSimSlack({
      port: ports.slack ?? 0,
      signingSecret: secrets.slackSigning,
      botToken: secrets.slackBotToken,
      interactivityUrl: wurls.interactivity,
      users: opts.slackUsers ?? [{ ...onCallUser }],
    });
    stops.push(() => slack.close());
    say(`sim-slack ${slack.url} (messages ${slack.url}/_sim/messages)`);

    const envInput = {
      natsUrl,
      kubeconfigPath,
      prometheusUrl: prometheus.url,
      slackApiUrl: slack.apiUrl,
      slackChannel,
      secrets,
      ports: workerPorts,
      logLevel: opts.logLevel ?? "warn",
      orchestratorTickMs: intervals.orchestratorTickMs,
      analyzerTickMs: intervals.analyzerTickMs,
      approvalTickSeconds: intervals.approvalTickSeconds,
    };
    const started: WorkerName[] = [];
    if (opts.startWorker !== undefined) {
      const wanted = new Set(opts.workers ?? WorkerNames);
      for (const name of WorkerNames) {
        if (!wanted.has(name)) continue;
        const running = await opts.startWorker(name, workerEnv(name, envInput)).catch((err: unknown) => {
          throw new Error(`sim-world: worker ${name} failed to start: ${(err as Error).message}`, { cause: err });
        });
        stops.push(() => running.stop());
        started.push(name);
      }
      say(`workers: ${started.join(", ")}`);
    }

    await waitFor(() => cluster.store.list("vmi").length > 0 && cluster.store.list("vmi").every(isReady), {
      timeoutMs: 30_000,
      intervalMs: 50,
      what: "the loaded VMs' VMIs to be Ready",
    }).catch((err: unknown) => {
      // A world without VMs is fine; one whose VMs never get Ready is not.
      if (cluster.store.list("vm").length > 0) throw err;
    });
    for (const c of loadClients) mesh.startLoad({ service: c.service, namespace: c.namespace, rps: c.rps, maxSeconds: 7 * 24 * 3600 });
    if (loadClients.length > 0) say(`load: ${loadClients.map((c) => `${c.identity.workload} → ${c.service}.${c.namespace} ${c.rps} rps`).join(", ")}`);

    let stopping: Promise<void> | undefined;
    return {
      dataDir,
      kubeconfigPath,
      intervals,
      secrets,
      slackChannel,
      nats,
      prometheus,
      alertmanager,
      cluster,
      mesh,
      slack,
      git: createSimGit({ url: wurls.githubWebhook, secret: secrets.githubWebhook, pusher: { login: "release-bot" } }),
      loadClients,
      urls: {
        nats: natsUrl,
        natsMonitor: nats?.monitorUrl ?? "",
        prometheus: prometheus.url,
        alertmanager: alertmanager.url,
        cluster: cluster.url,
        mesh: mesh.url,
        slack: slack.url,
        slackApi: slack.apiUrl,
        ...wurls,
      },
      workers: started,
      workerEnv: (name) => workerEnv(name, envInput),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Apply the interval overrides to every loaded VMRollout. */
function overrideRollouts(cluster: RunningSimCluster, intervals: WorldIntervals): void {
  if (intervals.analysisSeconds === undefined && intervals.rollbackWindowSeconds === undefined) return;
  for (const ro of cluster.store.list("vmrollouts.siskin.dev")) {
    const spec: Record<string, unknown> = {};
    if (intervals.analysisSeconds !== undefined) spec["analysis"] = { intervalSeconds: intervals.analysisSeconds };
    if (intervals.rollbackWindowSeconds !== undefined) spec["rollbackWindowSeconds"] = intervals.rollbackWindowSeconds;
    cluster.store.patch("vmrollouts.siskin.dev", ro.metadata.namespace, ro.metadata.name ?? "", { spec }, "merge");
  }
}
