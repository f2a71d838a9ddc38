/** Composition root of status-writer: Kubernetes and the `cmd.status.write` consumer, started by the runtime's startWorker. */
import { Command } from "../../schemas/subjects.js";
import { runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { load } from "./config.js";
import { kubeRollouts, loadKubeConfig } from "./kube.js";
import { createService } from "./service.js";

const SERVICE = "status-writer";

/** Start status-writer; resolves once it consumes `cmd.status.write`. */
export function main(env: Env = process.env): Promise<RunningWorker> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, logger, consume }) {
      const service = createService({ rollouts: kubeRollouts(loadKubeConfig(cfg.kubeconfig)), maxAttempts: cfg.maxAttempts });
      await consume("statusWriter", async (msg) => {
        if (msg.type !== Command.statusWrite) return;
        const outcome = await service.handle(msg as Parameters<typeof service.handle>[0]);
        if (outcome === "rollout-missing") logger.warn({ rollout: msg.data }, "VMRollout is gone; status not written");
      });
      return {};
    },
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
