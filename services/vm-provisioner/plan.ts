// Pure: the VirtualMachine of a release, built from the rollout's template. The canary joins the
// mesh through its labels (`app`, the version label) and the sidecar annotation; the release's
// version becomes the containerDisk tag. No I/O.
import { IstioInjectAnnotation, SiskinAnnotation, SiskinLabel } from "../../schemas/rollout-index.js";
import { vmNameFor } from "../../schemas/rollout-defaults.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import type { ObjectRef, VirtualMachine, VmiVolume } from "./vm-types.js";

export { preflight, PreflightCode, type PreflightInput } from "./preflight.js";

/** The labels every VM of a release carries (on the VM and its VMI template). */
export function releaseLabels(spec: VMRolloutSpec, rollout: string, version: string): Record<string, string> {
  const versionLabel = spec.versionLabel ?? "version";
  return {
    app: spec.vmTemplate.metadata?.labels?.app ?? spec.service,
    [versionLabel]: version,
    [SiskinLabel.rollout]: rollout,
    [SiskinLabel.releaseVersion]: version,
  };
}

/** The first containerDisk volume of a VMI spec (the one whose image the release's version tags), or undefined. */
export function containerDiskVolume(templateSpec: Record<string, unknown>): VmiVolume | undefined {
  const volumes = Array.isArray(templateSpec.volumes) ? (templateSpec.volumes as VmiVolume[]) : [];
  return volumes.find((v) => typeof v === "object" && v !== null && typeof v.containerDisk === "object" && v.containerDisk !== null);
}

/** Options of {@link planVirtualMachine}. */
export interface PlanOptions {
  /** The VM's name (default `vmNameFor(spec.service, version)`). */
  name?: string;
}

/**
 * The VirtualMachine for `version` of the rollout: name `vmNameFor(service, version)`, labels
 * `app`, the version label, `siskin.dev/rollout` and `siskin.dev/release-version` on the VM and its
 * template, `sidecar.istio.io/inject: "true"` on the template (unless the template says otherwise,
 * which preflight reports), the containerDisk image `<spec.image>:<version>` when `spec.image` is set,
 * runStrategy Always, and no owner (the VM outlives the release).
 */
export function planVirtualMachine(spec: VMRolloutSpec, rollout: ObjectRef, version: string, opts: PlanOptions = {}): VirtualMachine {
  const template = structuredClone(spec.vmTemplate);
  const labels = releaseLabels(spec, rollout.name, version);
  const templateSpec = structuredClone(template.spec) as Record<string, unknown>;
  if (spec.image !== undefined) {
    const disk = containerDiskVolume(templateSpec);
    if (disk?.containerDisk !== undefined) disk.containerDisk.image = `${spec.image}:${version}`;
  }
  const annotations = { ...(template.metadata?.annotations ?? {}) };
  annotations[IstioInjectAnnotation] ??= "true";
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name: opts.name ?? vmNameFor(spec.service, version),
      namespace: rollout.namespace,
      labels: { ...labels },
      annotations: { [SiskinAnnotation.createdBy]: "vm-provisioner" },
    },
    spec: {
      runStrategy: "Always",
      template: {
        metadata: { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), ...labels }, annotations },
        spec: templateSpec,
      },
    },
  };
}
