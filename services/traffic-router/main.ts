/** Composition root of the traffic-router: client-node and the `cmd.traffic.set_weights` consumer, started by the runtime's startWorker. */
import type { MessageOf } from "../../schemas/codec.js";
import type { Command } from "../../schemas/subjects.js";
import { createPublisher, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { load } from "./config.js";
import { createKubeDestinationRules, createKubeVirtualServices, loadKubeConfig } from "./kube.js";
import { createService } from "./service.js";

const SERVICE = "traffic-router";

/** A running traffic-router. */
export type RunningTrafficRouter = RunningWorker;

/** Start the traffic-router; resolves once it consumes `cmd.traffic.set_weights`. */
export function main(env: Env = process.env): Promise<RunningTrafficRouter> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, consume }) {
      const kc = loadKubeConfig(cfg.kubeconfig);
      const service = createService({
        virtualServices: createKubeVirtualServices(kc, { istioApiVersion: cfg.istioApiVersion }),
        destinationRules: createKubeDestinationRules(kc, { istioApiVersion: cfg.istioApiVersion }),
        events: createPublisher(nc, { source: SERVICE }),
        maxAttempts: cfg.maxAttempts,
      });
      await consume("trafficRouter", (msg, ctx) => service.handle(msg as MessageOf<typeof Command.trafficSetWeights> | MessageOf<typeof Command.trafficPrune>, { lastAttempt: ctx.deliveryCount >= cfg.maxDeliver }), { maxDeliver: cfg.maxDeliver });
      return {};
    },
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
