/**
 * `siskin replay`'s VM template check: the vm-provisioner's own preflight (the same function), with
 * the mesh objects a correct setup has (a Service selecting the VM's `app`, a DestinationRule with the
 * stable subset, a namespace labelled for injection). A trace has no cluster, so what replay checks is
 * the template itself: the VM the release would create.
 */
import type { Preflight } from "../../orchestrator/replay-world.js";
import { planVirtualMachine, preflight } from "../../vm-provisioner/plan.js";

/** The provisioner's preflight of the template, against a correctly set-up mesh. */
export const templatePreflight: Preflight = (spec, version, rollout) => {
  const vm = planVirtualMachine(spec, rollout, version);
  const app = vm.spec.template.metadata?.labels?.["app"] ?? spec.service;
  const versionLabel = spec.versionLabel ?? "version";
  return preflight({
    spec,
    version,
    rollout,
    service: { metadata: { name: spec.service, namespace: rollout.namespace }, spec: { selector: { app } } },
    destinationRule: { metadata: { name: spec.destinationRule.name, namespace: rollout.namespace }, spec: { host: spec.service, subsets: [{ name: spec.stableVersion, labels: { [versionLabel]: spec.stableVersion } }] } },
    namespace: { metadata: { name: rollout.namespace, labels: { "istio-injection": "enabled" } } },
  });
};
