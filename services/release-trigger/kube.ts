/** The {@link Rollouts} port over @kubernetes/client-node: VMRollouts (siskin.dev/v1alpha1) in all namespaces. */
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { VMRolloutResource } from "../../schemas/rollout.js";
import { createVMRolloutReader, vmRolloutRecord, type RawVMRollout } from "../runtime/vmrollout.js";
import type { RolloutRecord, Rollouts } from "./ports.js";

/** VMRollouts read from the Kubernetes API (the identity needs `list`/`get` on vmrollouts cluster-wide). */
export function createKubeRollouts(kc: KubeConfig, opts: { pageSize?: number } = {}): Rollouts {
  const api = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = VMRolloutResource;
  const reader = createVMRolloutReader(kc);
  return {
    async findByRepository(fullName) {
      const wanted = fullName.toLowerCase();
      const out: RolloutRecord[] = [];
      let cont: string | undefined;
      do {
        const page = (await api
          .listClusterCustomObject({ group, version, plural, limit: opts.pageSize ?? 500, ...(cont ? { _continue: cont } : {}) })
          .catch((err: unknown) => {
            throw new Error(`listing ${plural}.${group} in all namespaces failed: ${(err as Error).message}; check the API server and RBAC`, { cause: err });
          })) as { items?: RawVMRollout[]; metadata?: { continue?: string } };
        for (const item of page.items ?? []) {
          if (item.spec?.source?.repository?.toLowerCase() !== wanted) continue;
          const r = vmRolloutRecord(item);
          if (r !== null) out.push(r);
        }
        cont = page.metadata?.continue || undefined;
      } while (cont !== undefined);
      return out;
    },
    get: (namespace, name) => reader.get(namespace, name),
  };
}
