// State shared by the VM, VMI and migration controllers: in-memory timelines (exact milliseconds, where
// the objects only keep second-precision timestamps), node placement and pod IP allocation.
import { isObject } from "./types.js";
import { Kind } from "./controller-io.js";
import type { ControllerIo } from "./controller-io.js";
import type { KubeObject } from "./types.js";

/** Timeline of one VMI, keyed by its uid. */
export interface VmiRuntime {
  startedAt: number;
  runningAt?: number;
  /** When the current crash-after-seconds value was first seen. */
  crashArmedAt?: number;
  crashAfterMs?: number;
  /** Name of the launcher pod it runs in. */
  podName?: string;
  /** Last copy seen, to record events after the VMI is gone. */
  last: KubeObject;
}

/** Timeline of one VM, keyed by its uid. */
export interface VmRuntime {
  /** The VMI failed or stopped at this time and the VM will restart it after the restart delay. */
  terminalSince?: number;
  terminalVmiUid?: string;
  /** runStrategy Once ran its VMI already. */
  ranOnce?: boolean;
}

/** Timeline of one migration, keyed by the VMIM uid. */
export interface MigrationRuntime {
  startedAt: number;
  durationMs: number;
  fails: boolean;
  vmiUid: string;
  sourceNode: string;
  sourcePod: string;
  targetNode: string;
  targetPod?: string;
  targetIp?: string;
  last: KubeObject;
}

/** Shared controller state. */
export interface KubevirtState {
  io: ControllerIo;
  nodes: readonly string[];
  vmis: Map<string, VmiRuntime>;
  vms: Map<string, VmRuntime>;
  migrations: Map<string, MigrationRuntime>;
  /** Picks a node round-robin, avoiding `exclude`. */
  placeNode(exclude?: string): string;
  /** A fresh pod IP from the node's 10.244.<i>.0/24 range. */
  allocIp(node: string): string;
  hostIp(node: string): string;
}

/** Fresh controller state over the given nodes. */
export function createKubevirtState(io: ControllerIo, nodes: readonly string[]): KubevirtState {
  let rr = 0;
  const nextHost = new Map<string, number>();
  const index = (node: string): number => Math.max(0, nodes.indexOf(node));
  return {
    io,
    nodes,
    vmis: new Map(),
    vms: new Map(),
    migrations: new Map(),
    placeNode(exclude) {
      for (let i = 0; i < nodes.length; i++) {
        const n = nodes[(rr + i) % nodes.length] ?? "node01";
        if (n !== exclude || nodes.length === 1) {
          rr = (rr + i + 1) % nodes.length;
          return n;
        }
      }
      return nodes[0] ?? "node01";
    },
    allocIp(node) {
      const n = nextHost.get(node) ?? 10;
      nextHost.set(node, n >= 250 ? 10 : n + 1);
      return `10.244.${index(node)}.${n}`;
    },
    hostIp: (node) => `192.168.66.${101 + index(node)}`,
  };
}

/** The VMI's status as a mutable record. */
export const statusOf = (o: KubeObject): Record<string, unknown> => (isObject(o.status) ? o.status : {});

/** The running launcher pod of a VMI on its current node, if any. */
export function activePod(io: ControllerIo, vmi: KubeObject): KubeObject | undefined {
  const node = statusOf(vmi).nodeName;
  const pods = io
    .list(Kind.pod, vmi.metadata.namespace)
    .filter((p) => p.metadata.labels?.["kubevirt.io/created-by"] === vmi.metadata.uid && !["Succeeded", "Failed"].includes(String(statusOf(p).phase)));
  return pods.find((p) => isObject(p.spec) && p.spec.nodeName === node) ?? pods.find((p) => !p.metadata.labels?.["kubevirt.io/migrationJobUID"]);
}

/** Appends a phase transition to `phaseTransitionTimestamps`. */
export function withPhase(status: Record<string, unknown>, phase: string, ts: string): Record<string, unknown> {
  const list = Array.isArray(status.phaseTransitionTimestamps) ? status.phaseTransitionTimestamps : [];
  return { ...status, phase, phaseTransitionTimestamps: [...list, { phase, phaseTransitionTimestamp: ts }] };
}
