/**
 * VMRollouts read from the API server: the one source of a release's spec (release-trigger matches
 * pushes against them; the orchestrator pins each release to one). Adapter: imports the SDK.
 */
import { ApiException, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { SiskinError } from "../../schemas/errors.js";
import { VMRolloutResource, type VMRolloutSpec } from "../../schemas/rollout.js";

/** A VMRollout as Siskin uses it. */
export interface VMRolloutRecord {
  namespace: string;
  name: string;
  spec: VMRolloutSpec;
  /** metadata.generation. */
  generation?: number;
}

/** A VMRollout object as the API returns it (the fields read). */
export interface RawVMRollout {
  metadata?: { name?: string; namespace?: string; generation?: number };
  spec?: VMRolloutSpec;
  status?: { stableVersion?: unknown };
}

/**
 * The record of a VMRollout. The version serving now is `status.stableVersion` once Siskin wrote one
 * (a promotion makes the canary stable without touching the user's spec); `spec.stableVersion` names
 * the first stable version only. The record's spec carries the serving one, so the next release
 * starts from the version that really serves.
 */
export function vmRolloutRecord(o: RawVMRollout): VMRolloutRecord | null {
  const name = o.metadata?.name;
  const namespace = o.metadata?.namespace;
  if (name === undefined || namespace === undefined || o.spec === undefined) return null;
  const serving = o.status?.stableVersion;
  const spec = typeof serving === "string" && serving !== "" && serving !== o.spec.stableVersion ? { ...o.spec, stableVersion: serving } : o.spec;
  return { namespace, name, spec, ...(o.metadata?.generation === undefined ? {} : { generation: o.metadata.generation }) };
}

/** One VMRollout by name (the identity needs `get` on vmrollouts). */
export function createVMRolloutReader(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = VMRolloutResource;
  return {
    /** The VMRollout, or null when it does not exist; an API failure is a retryable SISKIN_ERR_UNAVAILABLE. */
    async get(namespace: string, name: string): Promise<VMRolloutRecord | null> {
      try {
        return vmRolloutRecord((await api.getNamespacedCustomObject({ group, version, plural, namespace, name })) as RawVMRollout);
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return null;
        throw new SiskinError("SISKIN_ERR_UNAVAILABLE", `reading VMRollout ${namespace}/${name} failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
