/** Composition root of release-trigger: the VMRollouts reader and the webhook/API listener, started by the runtime's startWorker. */
import { randomUUID } from "node:crypto";
import { createPublisher, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { loadKubeConfig } from "../runtime/kube-client.js";
import { load } from "./config.js";
import { buildApp } from "./http.js";
import { createKubeRollouts } from "./kube.js";
import { createService } from "./service.js";

const SERVICE = "release-trigger";

/** A running release-trigger. */
export type RunningReleaseTrigger = RunningWorker<{
  /** `http://host:port`: the webhook is at `/webhooks/github`, the API under `/api/v1`. */
  url: string;
}>;

/** Start release-trigger; resolves once the listener is up. */
export function main(env: Env = process.env): Promise<RunningReleaseTrigger> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, logger, onStop }) {
      const publisher = createPublisher(nc, { source: SERVICE });
      const service = createService({ rollouts: createKubeRollouts(loadKubeConfig(cfg.kubeconfig), { namespaces: cfg.namespaces }), publisher, newId: randomUUID });
      const app = buildApp({ service, githubSecret: cfg.github.webhookSecret, apiToken: cfg.api.token, people: cfg.api.people, logger });
      const url = await app.listen({ host: cfg.listen.host, port: cfg.listen.port });
      onStop(() => app.close());
      return { url };
    },
    describe: (w) => ({ url: w.url }),
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
