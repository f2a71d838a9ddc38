// The client-node adapter of the provisioner: VirtualMachines (CustomObjectsApi), and the Service,
// DestinationRule and Namespace preflight reads. ApiException becomes KubeApiError naming the object.
import * as k8s from "@kubernetes/client-node";
import type { MeshObjects, VirtualMachines } from "./ports.js";
import type { DestinationRule, Namespace, ObjectRef, Service, VirtualMachine } from "./vm-types.js";
import { toKubeError } from "../runtime/kube-client.js";

/** Field manager of the provisioner's writes (shown in managedFields). */
export const fieldManager = "siskin-vm-provisioner";

const vmResource = { group: "kubevirt.io", version: "v1", plural: "virtualmachines" } as const;

export { toKubeError } from "../runtime/kube-client.js";

async function orNull<T>(what: string, fn: () => Promise<T>, nullOn: readonly number[] = [404]): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    const e = toKubeError(err, what);
    if (e.status !== undefined && nullOn.includes(e.status)) return null;
    throw e;
  }
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toKubeError(err, what);
  }
}

/** The VirtualMachines port over CustomObjectsApi. */
export function createKubeVms(kc: k8s.KubeConfig): VirtualMachines {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const at = (ref: ObjectRef) => ({ ...vmResource, namespace: ref.namespace, name: ref.name });
  const name = (ref: ObjectRef) => `VirtualMachine ${ref.namespace}/${ref.name}`;
  return {
    create: (vm) =>
      call(`create ${name(vm.metadata)}`, async () => (await api.createNamespacedCustomObject({ ...vmResource, namespace: vm.metadata.namespace, body: vm, fieldManager })) as VirtualMachine),
    get: (ref) => orNull(`get ${name(ref)}`, async () => (await api.getNamespacedCustomObject(at(ref))) as VirtualMachine),
    list: (namespace, labelSelector) =>
      call(`list VirtualMachines in ${namespace} (${labelSelector})`, async () => {
        const list = (await api.listNamespacedCustomObject({ ...vmResource, namespace, labelSelector })) as { items?: VirtualMachine[] };
        return list.items ?? [];
      }),
    patch: (ref, mergePatch) =>
      call(`merge-patch ${name(ref)}`, async () => (await api.patchNamespacedCustomObject({ ...at(ref), body: mergePatch, fieldManager }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch))) as VirtualMachine),
    async delete(ref) {
      await orNull(`delete ${name(ref)}`, () => api.deleteNamespacedCustomObject(at(ref)));
    },
  };
}

/** The MeshObjects port: Service (CoreV1Api), DestinationRule (CustomObjectsApi), Namespace (null on 404 and 403). */
export function createKubeMesh(kc: k8s.KubeConfig, opts: { istioApiVersion: string }): MeshObjects {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  return {
    service: (ref) => orNull(`get Service ${ref.namespace}/${ref.name}`, async () => (await core.readNamespacedService(ref)) as unknown as Service),
    destinationRule: (ref) =>
      orNull(`get DestinationRule ${ref.namespace}/${ref.name}`, async () => (await custom.getNamespacedCustomObject({ group: "networking.istio.io", version: opts.istioApiVersion, plural: "destinationrules", ...ref })) as DestinationRule),
    namespace: (name) => orNull(`get Namespace ${name}`, async () => (await core.readNamespace({ name })) as unknown as Namespace, [403, 404]),
  };
}

export { loadKubeConfig } from "../runtime/kube-client.js";
