/** KubeVirt VMIs and their migrations through @kubernetes/client-node, behind the {@link Vmis} port. */
import * as k8s from "@kubernetes/client-node";
import { toKubeError } from "../runtime/kube-client.js";
import type { VmiRow, Vmis } from "./ports.js";

interface Vmi {
  metadata: { name?: string; labels?: Record<string, string> };
  status?: {
    phase?: string;
    nodeName?: string;
    conditions?: Array<{ type: string; status: string }>;
    migrationState?: { completed?: boolean; sourceNode?: string; targetNode?: string };
  };
}
interface Vmim {
  spec?: { vmiName?: string };
}

const kubevirt = { group: "kubevirt.io", version: "v1" } as const;

/** VMIs of a rollout's versions, with the migrations the API knows of each. */
export function kubeVmis(kc: k8s.KubeConfig): Vmis {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  return {
    async list(namespace, versionLabel, versions, labels) {
      if (versions.length === 0) return [];
      const selector = [...Object.entries(labels).map(([k, v]) => `${k}=${v}`), `${versionLabel} in (${versions.join(",")})`].join(",");
      let vmis: Vmi[];
      let vmims: Vmim[];
      try {
        [vmis, vmims] = await Promise.all([
          api.listNamespacedCustomObject({ ...kubevirt, namespace, plural: "virtualmachineinstances", labelSelector: selector }).then((l) => (l as { items?: Vmi[] }).items ?? []),
          api.listNamespacedCustomObject({ ...kubevirt, namespace, plural: "virtualmachineinstancemigrations" }).then((l) => (l as { items?: Vmim[] }).items ?? []),
        ]);
      } catch (err) {
        throw toKubeError(err, `list VMIs in ${namespace} (${selector})`);
      }
      return vmis
        .map((v): VmiRow => {
          const name = v.metadata.name ?? "";
          const m = v.status?.migrationState;
          return {
            name,
            version: v.metadata.labels?.[versionLabel] ?? "",
            phase: v.status?.phase ?? "Unknown",
            ready: (v.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
            node: v.status?.nodeName ?? null,
            migrations: vmims.filter((x) => x.spec?.vmiName === name).length,
            migrating: m !== undefined && m.completed !== true ? `${m.sourceNode ?? "?"} → ${m.targetNode ?? "?"}` : null,
          };
        })
        .sort((a, b) => a.version.localeCompare(b.version) || a.name.localeCompare(b.name));
    },
  };
}
