/**
 * The pipeline the latency benchmarks run through, in this process: a provisioned nats-server, the
 * cluster simulator on a free port (real clock), and the real workers started with their `main(env)`
 * (orchestrator, alert-ingest, traffic-router, and on request the metrics-analyzer, k8s-watcher and
 * vm-provisioner). Logs are silenced; everything binds 127.0.0.1.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimCluster, type RunningSimCluster } from "../../sim/cluster/index.js";
import { main as alertIngestMain } from "../../services/alert-ingest/main.js";
import { main as analyzerMain } from "../../services/metrics-analyzer/main.js";
import { main as orchestratorMain } from "../../services/orchestrator/main.js";
import { main as routerMain } from "../../services/traffic-router/main.js";
import { main as watcherMain } from "../../services/k8s-watcher/main.js";
import { main as provisionerMain } from "../../services/vm-provisioner/main.js";
import { startBenchNats, type BenchNats, type Cleanups } from "../lib/env.js";

/** Which optional workers to start. */
export interface WorldOptions {
  /** Orchestrator tick (default 1000 ms, its own default). */
  tickMs?: number;
  /** Start the metrics-analyzer against this Prometheus URL. */
  analyzerPrometheusUrl?: string;
  /** Analyzer tick (default 1000 ms). */
  analyzerTickMs?: number;
  watcher?: boolean;
  provisioner?: boolean;
  /** Namespaces to create in the simulator. */
  namespaces?: readonly string[];
}

/** A running world. */
export interface PipelineWorld {
  nats: BenchNats;
  sim: RunningSimCluster;
  kubeconfigPath: string;
  /** alert-ingest's webhook URL (`.../webhooks/alertmanager`). */
  webhookUrl: string;
  /** Stop and start the orchestrator again (recovery benchmark). */
  orchestrator: { stop(): Promise<void>; start(): Promise<void> };
}

/** Start the world; everything is stopped by `c`. */
export async function startWorld(c: Cleanups, opts: WorldOptions = {}): Promise<PipelineWorld> {
  const nats = await startBenchNats(c);
  const sim = await startSimCluster({ onError: () => undefined });
  c.add(() => sim.close());
  for (const ns of opts.namespaces ?? []) {
    if (sim.store.get("namespaces", undefined, ns) === undefined) sim.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "istio-injection": "enabled" } } });
  }
  const dir = mkdtempSync(join(tmpdir(), "siskin-bench-"));
  c.add(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfigPath = join(dir, "kubeconfig");
  await sim.writeKubeconfig(kubeconfigPath);

  let orch: { stop(): Promise<void> } | null = null;
  const orchestrator = {
    async start() {
      orch = await orchestratorMain(nats.workerEnv({ SISKIN_TICK_MS: String(opts.tickMs ?? 1000), SISKIN_PROVISION: "false" }));
    },
    async stop() {
      await orch?.stop();
      orch = null;
    },
  };
  await orchestrator.start();
  c.add(() => orchestrator.stop());
  const router = await routerMain(nats.workerEnv({ SISKIN_KUBECONFIG: kubeconfigPath }));
  c.add(() => router.stop());
  // A simulation, like sim/world: the webhook takes no token (alert-ingest warns at start). The bearer
  // check it skips is a constant-time compare, so the figures do not depend on it.
  const ingest = await alertIngestMain(nats.workerEnv({ SISKIN_WEBHOOK_PORT: "0", SISKIN_INSECURE_NO_AUTH: "true" }));
  c.add(() => ingest.stop());
  if (opts.analyzerPrometheusUrl !== undefined) {
    const analyzer = await analyzerMain(
      nats.workerEnv({ SISKIN_PROMETHEUS_URL: opts.analyzerPrometheusUrl, SISKIN_TICK_MS: String(opts.analyzerTickMs ?? 1000) }),
    );
    c.add(() => analyzer.stop());
  }
  if (opts.watcher === true) {
    const watcher = await watcherMain(nats.workerEnv({ SISKIN_KUBECONFIG: kubeconfigPath }));
    c.add(() => watcher.stop());
    await watcher.started;
  }
  if (opts.provisioner === true) {
    const provisioner = await provisionerMain(nats.workerEnv({ SISKIN_KUBECONFIG: kubeconfigPath }));
    c.add(() => provisioner.stop());
  }
  return { nats, sim, kubeconfigPath, webhookUrl: `${ingest.webhookUrl}/webhooks/alertmanager`, orchestrator };
}
