/** A story's fault, started once the canary reaches its weight: canary VMI annotations, or a live migration of a stable VMI. */
import { vmNameFor } from "../../../schemas/rollout-defaults.js";
import type { DemoPorts } from "./ports.js";
import type { ProgressRecord, StoryScript } from "./types.js";

/** Where the fault goes and how it is told. */
export interface FaultEnv {
  ports: DemoPorts;
  rollout: { namespace: string; service: string };
  version: string;
  stableBefore: string;
  record: (r: Omit<ProgressRecord, "atMs">) => void;
}

/** Inject `fault`; resolves to when it took effect (epoch ms), or null when the story has none. */
export async function injectFault(fault: StoryScript["fault"], env: FaultEnv): Promise<number | null> {
  const { ports, rollout, version } = env;
  if (fault === undefined) return null;
  if (fault.kind === "canaryAnnotations") {
    const at = ports.clock();
    const vmi = vmNameFor(rollout.service, version);
    await ports.kube.patchVmiAnnotations(rollout.namespace, vmi, fault.annotations);
    env.record({ kind: "fault", text: `${fault.label} (${Object.entries(fault.annotations).map(([k, v]) => `${k}=${v}`).join(", ")} on VMI ${vmi})` });
    return at;
  }
  const vmis = await ports.kube.listVmis(rollout.namespace, `app=${rollout.service}`);
  const stable = vmis.find((v) => v.ready && v.version === env.stableBefore) ?? vmis.find((v) => v.ready && v.version !== version);
  if (stable === undefined) throw new Error(`no Ready stable VMI of ${rollout.service} to migrate (stable version ${env.stableBefore})`);
  await ports.kube.patchVmiAnnotations(rollout.namespace, stable.name, { "sim.siskin.dev/migration-seconds": String(fault.migrationSeconds) });
  const at = ports.clock();
  const vmim = await ports.kube.migrate(rollout.namespace, stable.name);
  env.record({ kind: "fault", text: `${fault.label}: VirtualMachineInstanceMigration ${vmim} for VMI ${stable.name} (${fault.migrationSeconds} s)` });
  return at;
}
