/** Composition root of the orchestrator: provisioning, the KV stores, two consumers and the ticker, started by the runtime's startWorker. */
import { provision, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
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
      const service = createService({ ...(await openPorts(nc, metrics, SERVICE)), metrics, log: logger, maxAttempts: cfg.maxAttempts });
      await consume("orchestrator", (msg) => service.handle(msg));
      await consume("orchestratorControl", (msg) => service.handle(msg));
      const ticker = startTicker({ tick: () => service.tick(), tickMs: cfg.tickMs, log: logger });
      onStop(() => ticker.stop());
      readyWhen(() => ticker.running());
      return {};
    },
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
