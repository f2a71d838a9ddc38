/** Composition root of the orchestrator: provisioning, the KV stores, the VMRollout reader, its consumers and the ticker, started by the runtime's startWorker. */
import { provision, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { loadKubeConfig } from "../runtime/kube-client.js";
import { createVMRolloutReader } from "../runtime/vmrollout.js";
import { load } from "./config.js";
import { createOrchestratorMetrics } from "./metrics.js";
import { openPorts } from "./nats-ports.js";
import { createService } from "./service.js";
import { startTicker } from "./ticker.js";

const SERVICE = "orchestrator";

/** A running orchestrator. */
export type RunningOrchestrator = RunningWorker;

/** Start the orchestrator; resolves once both consumers and the ticker run. */
export function main(env: Env = process.env): Promise<RunningOrchestrator> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, logger, registry, consume, onStop, readyWhen }) {
      // Idempotent: a fresh NATS gets its streams, consumers and buckets; an existing one is left as it is.
      if (cfg.provision) await provision(nc, { replicas: cfg.replicas });
      const metrics = createOrchestratorMetrics(registry);
      // A release's spec is read from its VMRollout, never taken from a message (services/orchestrator/admit.ts).
      const vmRollouts = createVMRolloutReader(loadKubeConfig(cfg.kubeconfig));
      const rollouts = { get: (namespace: string, name: string) => vmRollouts.get(namespace, name) };
      const service = createService({ ...(await openPorts(nc, metrics, SERVICE)), rollouts, metrics, log: logger, maxAttempts: cfg.maxAttempts });
      await consume("orchestrator", (msg) => service.handle(msg));
      await consume("orchestratorControl", (msg) => service.handle(msg));
      await consume("orchestratorDecide", (msg) => service.handle(msg));
      await consume("orchestratorRelease", (msg) => service.handle(msg));
      const ticker = startTicker({ tick: () => service.tick(), tickMs: cfg.tickMs, log: logger });
      onStop(() => ticker.stop());
      readyWhen(() => ticker.running());
      return {};
    },
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
