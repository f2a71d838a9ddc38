// The client-node adapter of the router: GET and PUT (replace, conditional on the resourceVersion
// in the body) of VirtualServices and DestinationRules through CustomObjectsApi.
import * as k8s from "@kubernetes/client-node";
import type { IstioObjects, ObjectRef } from "./ports.js";
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

/** VirtualServices at `networking.istio.io/<version>`. */
export function createKubeVirtualServices(kc: k8s.KubeConfig, opts: { istioApiVersion: string }): IstioObjects<VirtualService> {
  return istioObjects<VirtualService>(kc, "VirtualService", "virtualservices", opts.istioApiVersion);
}

/** DestinationRules at `networking.istio.io/<version>`. */
export function createKubeDestinationRules(kc: k8s.KubeConfig, opts: { istioApiVersion: string }): IstioObjects<DestinationRule> {
  return istioObjects<DestinationRule>(kc, "DestinationRule", "destinationrules", opts.istioApiVersion);
}

export { loadKubeConfig } from "../runtime/kube-client.js";
