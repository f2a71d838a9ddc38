/** Composition root of the vm-provisioner: client-node and the `cmd.vm.*` consumer, started by the runtime's startWorker. */
import { createPublisher, runIfMain, startWorker, type Env, type RunningWorker } from "../runtime/index.js";
import { load } from "./config.js";
import { createKubeMesh, createKubeVms, loadKubeConfig } from "./kube.js";
import { createService, type ProvisionerMessage } from "./service.js";

const SERVICE = "vm-provisioner";

/** A running provisioner. */
export type RunningProvisioner = RunningWorker;

/** Start the provisioner; resolves once it consumes `cmd.vm.*`. */
export function main(env: Env = process.env): Promise<RunningProvisioner> {
  return startWorker({
    service: SERVICE,
    load,
    env,
    async start({ cfg, nc, consume }) {
      const kc = loadKubeConfig(cfg.kubeconfig);
      const service = createService({
        vms: createKubeVms(kc),
        mesh: createKubeMesh(kc, { istioApiVersion: cfg.istioApiVersion }),
        events: createPublisher(nc, { source: SERVICE }),
        maxPatchAttempts: cfg.maxPatchAttempts,
      });
      await consume("vmProvisioner", (msg, ctx) => service.handle(msg as ProvisionerMessage, { lastAttempt: ctx.deliveryCount >= cfg.maxDeliver }), { maxDeliver: cfg.maxDeliver });
      return {};
    },
  });
}

runIfMain(import.meta.url, SERVICE, () => main());
