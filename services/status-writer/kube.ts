/** The Rollouts port over @kubernetes/client-node. */
import * as k8s from "@kubernetes/client-node";
import type { VMRolloutStatus } from "../../schemas/rollout.js";
import { VMRolloutResource } from "../../schemas/rollout.js";
import { toKubeError } from "../runtime/kube-client.js";
import type { RolloutObject, Rollouts } from "./ports.js";

const ref = { group: VMRolloutResource.group, version: VMRolloutResource.version, plural: VMRolloutResource.plural };
const codeOf = (err: unknown) => (err instanceof k8s.ApiException ? err.code : undefined);

/** Rollouts backed by the Kubernetes API of `kc`. */
export function kubeRollouts(kc: k8s.KubeConfig, component = "siskin-status-writer"): Rollouts {
  const co = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return {
    async get(namespace, name) {
      try {
        return (await co.getNamespacedCustomObject({ ...ref, namespace, name })) as RolloutObject;
      } catch (err) {
        if (codeOf(err) === 404) return null;
        throw err;
      }
    },
    async replaceStatus(obj: RolloutObject, status: VMRolloutStatus) {
      const body = {
        apiVersion: `${ref.group}/${ref.version}`,
        kind: VMRolloutResource.kind,
        metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, resourceVersion: obj.metadata.resourceVersion },
        status,
      };
      try {
        await co.replaceNamespacedCustomObjectStatus({ ...ref, namespace: obj.metadata.namespace, name: obj.metadata.name, body });
      } catch (err) {
        throw toKubeError(err, `replace status of VMRollout ${obj.metadata.namespace}/${obj.metadata.name}`);
      }
    },
    async recordEvent(obj, name, event) {
      const now = new Date();
      try {
        await core.createNamespacedEvent({
          namespace: obj.metadata.namespace,
          body: {
            metadata: { name, namespace: obj.metadata.namespace },
            involvedObject: {
              apiVersion: `${ref.group}/${ref.version}`,
              kind: VMRolloutResource.kind,
              name: obj.metadata.name,
              namespace: obj.metadata.namespace,
              uid: obj.metadata.uid,
            },
            type: event.type,
            reason: event.reason,
            message: event.message,
            source: { component: component },
            reportingComponent: component,
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        });
      } catch (err) {
        if (codeOf(err) === 409) return;
        throw err;
      }
    },
  };
}

export { loadKubeConfig } from "../runtime/kube-client.js";
