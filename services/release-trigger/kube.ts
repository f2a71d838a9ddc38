/** The {@link Rollouts} port over @kubernetes/client-node: VMRollouts (siskin.dev/v1alpha1) in all namespaces. */
import { ApiException, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { VMRolloutResource, type VMRolloutSpec } from "../../schemas/rollout.js";
import type { RolloutRecord, Rollouts } from "./ports.js";

interface RawRollout {
  metadata?: { name?: string; namespace?: string; generation?: number };
  spec?: VMRolloutSpec;
  status?: { stableVersion?: unknown };
}

/**
 * The record of a VMRollout. The version serving now is `status.stableVersion` once Siskin wrote one
 * (a promotion makes the canary stable without touching the user's spec); `spec.stableVersion` names
 * the first stable version only. The request's spec carries the serving one, so the next release
 * starts from the version that really serves.
 */
function toRecord(o: RawRollout): RolloutRecord | null {
  const name = o.metadata?.name;
  const namespace = o.metadata?.namespace;
  if (name === undefined || namespace === undefined || o.spec === undefined) return null;
  const serving = o.status?.stableVersion;
  const spec = typeof serving === "string" && serving !== "" && serving !== o.spec.stableVersion ? { ...o.spec, stableVersion: serving } : o.spec;
  return { namespace, name, spec, ...(o.metadata?.generation === undefined ? {} : { generation: o.metadata.generation }) };
}

/** VMRollouts read from the Kubernetes API (the identity needs `list`/`get` on vmrollouts cluster-wide). */
export function createKubeRollouts(kc: KubeConfig, opts: { pageSize?: number } = {}): Rollouts {
  const api = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = VMRolloutResource;
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
          })) as { items?: RawRollout[]; metadata?: { continue?: string } };
        for (const item of page.items ?? []) {
          if (item.spec?.source?.repository?.toLowerCase() !== wanted) continue;
          const r = toRecord(item);
          if (r !== null) out.push(r);
        }
        cont = page.metadata?.continue || undefined;
      } while (cont !== undefined);
      return out;
    },
    async get(namespace, name) {
      try {
        return toRecord((await api.getNamespacedCustomObject({ group, version, plural, namespace, name })) as RawRollout);
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return null;
        throw new Error(`reading VMRollout ${namespace}/${name} failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
