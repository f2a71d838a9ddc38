/** The {@link Rollouts} port over @kubernetes/client-node: VMRollouts (siskin.dev/v1alpha1) in all namespaces. */
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { VMRolloutResource } from "../../schemas/rollout.js";
import { createVMRolloutReader, vmRolloutRecord, type RawVMRollout } from "../runtime/vmrollout.js";
import type { RolloutRecord, Rollouts } from "./ports.js";

/**
 * VMRollouts read from the Kubernetes API. With `namespaces` (a namespaced install) only those are
 * listed, so `list` on vmrollouts in each is enough; without, the identity needs it cluster-wide.
 */
export function createKubeRollouts(kc: KubeConfig, opts: { pageSize?: number; namespaces?: readonly string[] } = {}): Rollouts {
  const api = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = VMRolloutResource;
  const reader = createVMRolloutReader(kc);
  return {
    async findByRepository(fullName) {
      const wanted = fullName.toLowerCase();
      const out: RolloutRecord[] = [];
      const scopes: Array<string | undefined> = opts.namespaces !== undefined && opts.namespaces.length > 0 ? [...opts.namespaces] : [undefined];
      for (const namespace of scopes) {
        let cont: string | undefined;
        do {
          const paging = { group, version, plural, limit: opts.pageSize ?? 500, ...(cont ? { _continue: cont } : {}) };
          const page = (await (namespace === undefined ? api.listClusterCustomObject(paging) : api.listNamespacedCustomObject({ ...paging, namespace }))
            .catch((err: unknown) => {
              throw new Error(`listing ${plural}.${group} in ${namespace ?? "all namespaces"} failed: ${(err as Error).message}; check the API server and RBAC`, { cause: err });
            })) as { items?: RawVMRollout[]; metadata?: { continue?: string } };
          for (const item of page.items ?? []) {
            if (item.spec?.source?.repository?.toLowerCase() !== wanted) continue;
            const r = vmRolloutRecord(item);
            if (r !== null) out.push(r);
          }
          cont = page.metadata?.continue || undefined;
        } while (cont !== undefined);
      }
      return out;
    },
    get: (namespace, name) => reader.get(namespace, name),
  };
}
