// The client-node adapter of the watcher: list with CustomObjectsApi / CoreV1Api, watch with Watch
// (NDJSON), and 410 Gone told apart from a closed stream and from other failures.
import * as k8s from "@kubernetes/client-node";
import { VMRolloutResource } from "../../schemas/rollout.js";
import type { VMRolloutStatus } from "../../schemas/rollout.js";
import type { KubeObject, RolloutObject } from "./kube-types.js";
import { WatchedKind, type KubeWatch, type RolloutStatuses, type WatchEnd, type WatchEvent, type WatchTarget } from "./ports.js";

/** Options of {@link createKubeWatch}. */
export interface KubeWatchOptions {
  /** networking.istio.io version to read VirtualServices with (v1 needs Istio ≥ 1.22). */
  istioApiVersion: string;
}

interface Resource {
  group: string;
  version: string;
  plural: string;
  fieldSelector?: string;
}

function resourceOf(kind: WatchedKind, opts: KubeWatchOptions): Resource {
  switch (kind) {
    case WatchedKind.vmis:
      return { group: "kubevirt.io", version: "v1", plural: "virtualmachineinstances" };
    case WatchedKind.vmims:
      return { group: "kubevirt.io", version: "v1", plural: "virtualmachineinstancemigrations" };
    case WatchedKind.events:
      return { group: "", version: "v1", plural: "events", fieldSelector: "involvedObject.kind=VirtualMachineInstance" };
    case WatchedKind.virtualServices:
      return { group: "networking.istio.io", version: opts.istioApiVersion, plural: "virtualservices" };
    case WatchedKind.rollouts:
      return { group: VMRolloutResource.group, version: VMRolloutResource.version, plural: VMRolloutResource.plural };
    default: {
      const never: never = kind;
      throw new Error(`k8s-watcher: no resource for kind ${String(never)}`);
    }
  }
}

/** `/apis/<group>/<version>[/namespaces/<ns>]/<plural>` (or `/api/v1/...` for the core group). */
export function collectionPath(r: Resource, namespace: string | undefined): string {
  const base = r.group === "" ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return namespace === undefined ? `${base}/${r.plural}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
}

function statusCode(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  if (typeof e?.statusCode === "number") return e.statusCode;
  return typeof e?.code === "number" ? e.code : undefined;
}

function describe(target: WatchTarget, op: string, err: unknown): Error {
  const where = target.namespace === undefined ? "all namespaces" : `namespace ${target.namespace}`;
  const code = statusCode(err);
  const hint = code === 401 || code === 403 ? "; grant the watcher list/watch on it (infra/k8s RBAC)" : code === 404 ? "; is the CRD installed?" : "";
  return new Error(`k8s-watcher: ${op} of ${target.kind} in ${where} failed${code === undefined ? "" : ` (HTTP ${code})`}: ${(err as Error)?.message ?? String(err)}${hint}`, { cause: err });
}

/** The KubeWatch port over client-node. */
export function createKubeWatch(kc: k8s.KubeConfig, opts: KubeWatchOptions): KubeWatch {
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const watcher = new k8s.Watch(kc);

  async function listRaw(r: Resource, namespace: string | undefined): Promise<{ items?: KubeObject[]; metadata?: { resourceVersion?: string } }> {
    if (r.group === "") {
      const q = r.fieldSelector === undefined ? {} : { fieldSelector: r.fieldSelector };
      const list = namespace === undefined ? await core.listEventForAllNamespaces(q) : await core.listNamespacedEvent({ namespace, ...q });
      return list as unknown as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
    }
    const ref = { group: r.group, version: r.version, plural: r.plural };
    return (namespace === undefined ? await custom.listClusterCustomObject(ref) : await custom.listNamespacedCustomObject({ ...ref, namespace })) as {
      items?: KubeObject[];
      metadata?: { resourceVersion?: string };
    };
  }

  return {
    async list(target) {
      const r = resourceOf(target.kind, opts);
      try {
        const list = await listRaw(r, target.namespace);
        // CoreV1Event's typed fields the evaluators read (type, reason, message, involvedObject, metadata) keep their JSON names.
        return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? "" };
      } catch (err) {
        throw describe(target, "list", err);
      }
    },
    async watch(target, resourceVersion, onEvent, onEnd) {
      const r = resourceOf(target.kind, opts);
      let stopped = false;
      let ended = false;
      const end = (e: WatchEnd) => {
        if (stopped || ended) return;
        ended = true;
        onEnd(e);
      };
      const query: Record<string, string> = { resourceVersion, allowWatchBookmarks: "true" };
      if (r.fieldSelector !== undefined) query.fieldSelector = r.fieldSelector;
      let controller: AbortController | undefined;
      try {
        controller = await watcher.watch(
          collectionPath(r, target.namespace),
          query,
          (type: string, object: KubeObject & { code?: number }) => {
            if (stopped || ended) return;
            if (type === "ERROR") {
              controller?.abort();
              end(object.code === 410 ? { reason: "gone" } : { reason: "error", error: describe(target, "watch", new Error(`ERROR event: ${JSON.stringify(object)}`)) });
              return;
            }
            if (type === "ADDED" || type === "MODIFIED" || type === "DELETED" || type === "BOOKMARK") onEvent({ type, object } as WatchEvent);
          },
          (err: unknown) => {
            if (err === null || err === undefined) end({ reason: "closed" });
            else if (statusCode(err) === 410) end({ reason: "gone" });
            else if ((err as Error).message === "Premature close") end({ reason: "closed" });
            else end({ reason: "error", error: describe(target, "watch", err) });
          },
        );
      } catch (err) {
        end({ reason: "error", error: describe(target, "watch", err) });
      }
      return {
        stop() {
          stopped = true;
          controller?.abort();
        },
      };
    },
  };
}

/** The RolloutStatuses port over client-node (PUT .../status with the object's resourceVersion). */
export function createRolloutStatuses(kc: k8s.KubeConfig): RolloutStatuses {
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const ref = { group: VMRolloutResource.group, version: VMRolloutResource.version, plural: VMRolloutResource.plural };
  return {
    async get(namespace, name) {
      try {
        return (await custom.getNamespacedCustomObject({ ...ref, namespace, name })) as RolloutObject;
      } catch (err) {
        if (statusCode(err) === 404) return null;
        throw new Error(`k8s-watcher: get of VMRollout ${namespace}/${name} failed: ${(err as Error).message}`, { cause: err });
      }
    },
    async replaceStatus(obj, status: VMRolloutStatus) {
      const { namespace = "", name = "", resourceVersion } = obj.metadata ?? {};
      const body = { apiVersion: `${ref.group}/${ref.version}`, kind: VMRolloutResource.kind, metadata: { name, namespace, resourceVersion }, status };
      try {
        await custom.replaceNamespacedCustomObjectStatus({ ...ref, namespace, name, body });
        return "written";
      } catch (err) {
        if (statusCode(err) === 409) return "conflict";
        throw new Error(`k8s-watcher: status update of VMRollout ${namespace}/${name} failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

export { loadKubeConfig } from "../runtime/kube-client.js";
