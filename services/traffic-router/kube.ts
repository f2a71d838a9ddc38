// The client-node adapter of the router through CustomObjectsApi: GET and guarded JSON PATCH of
// VirtualServices; GET and PUT (replace, conditional on the resourceVersion in the body) of
// DestinationRules.
import * as k8s from "@kubernetes/client-node";
import type { JsonPatchOp } from "./json-patch.js";
import { KubeApiError, type IstioObjects, type ObjectRef, type VirtualServices } from "./ports.js";
import type { DestinationRule, VirtualService } from "./vs-types.js";
import { toKubeError } from "../runtime/kube-client.js";

/** Field manager of the router's writes (shown in managedFields, and by the watcher's drift reports). */
export const fieldManager = "siskin-traffic-router";

export { toKubeError } from "../runtime/kube-client.js";

function istioObjects<T extends { metadata?: { name?: string; namespace?: string } }>(kc: k8s.KubeConfig, kind: string, plural: string, version: string): IstioObjects<T> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const at = (ref: ObjectRef) => ({ group: "networking.istio.io", version, plural, namespace: ref.namespace, name: ref.name });
  return {
    async get(ref) {
      try {
        return (await api.getNamespacedCustomObject(at(ref))) as T;
      } catch (err) {
        const e = toKubeError(err, `get ${kind} ${ref.namespace}/${ref.name}`);
        if (e.status === 404) return null;
        throw e;
      }
    },
    async replace(obj) {
      const ref = { namespace: obj.metadata?.namespace ?? "", name: obj.metadata?.name ?? "" };
      try {
        return (await api.replaceNamespacedCustomObject({ ...at(ref), body: obj, fieldManager })) as T;
      } catch (err) {
        throw toKubeError(err, `replace ${kind} ${ref.namespace}/${ref.name}`);
      }
    },
  };
}

/**
 * A failed RFC 6902 `test` op: the API server answers 422 (the JSON patch library's "testing value
 * /… failed"); to the router it is a conflict, like a stale resourceVersion: re-read and re-plan.
 */
function testFailed(err: KubeApiError): boolean {
  if (err.status !== 422) return false;
  const cause = err.cause;
  const body = cause instanceof k8s.ApiException ? (typeof cause.body === "string" ? cause.body : JSON.stringify(cause.body)) : "";
  return /test(ing value .* failed| failed)/.test(`${err.message} ${body}`);
}

/** VirtualServices at `networking.istio.io/<version>`: GET, and guarded JSON patches. */
export function createKubeVirtualServices(kc: k8s.KubeConfig, opts: { istioApiVersion: string }): VirtualServices {
  const objects = istioObjects<VirtualService>(kc, "VirtualService", "virtualservices", opts.istioApiVersion);
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  return {
    get: objects.get,
    async patch(ref, ops: readonly JsonPatchOp[]) {
      const at = { group: "networking.istio.io", version: opts.istioApiVersion, plural: "virtualservices", namespace: ref.namespace, name: ref.name };
      try {
        return (await api.patchNamespacedCustomObject({ ...at, body: ops, fieldManager }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch))) as VirtualService;
      } catch (err) {
        const e = toKubeError(err, `json-patch VirtualService ${ref.namespace}/${ref.name}`);
        if (testFailed(e)) throw new KubeApiError(`${e.message} (a guarded value changed since it was read)`, 409, "Conflict", err);
        throw e;
      }
    },
  };
}

/** DestinationRules at `networking.istio.io/<version>`. */
export function createKubeDestinationRules(kc: k8s.KubeConfig, opts: { istioApiVersion: string }): IstioObjects<DestinationRule> {
  return istioObjects<DestinationRule>(kc, "DestinationRule", "destinationrules", opts.istioApiVersion);
}

export { loadKubeConfig } from "../runtime/kube-client.js";
