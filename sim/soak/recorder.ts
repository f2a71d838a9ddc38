/**
 * The simulator's history of the writes the invariants read: every state of each VirtualService's
 * route (weights by subset), every VirtualMachine created, every live migration's window. Recorded
 * from the cluster store's change feed, so nothing Siskin writes is missed.
 */
import type { StoredEvent } from "../cluster/store.js";

/** One state of a service's route. */
export interface RouteState {
  at: number;
  service: string;
  /** Weight by subset (a single destination counts 100). */
  weights: Record<string, number>;
}

/** One VM creation. */
export interface VmCreate {
  at: number;
  name: string;
  service: string;
  version: string;
}

/** One live migration. */
export interface MigrationWindow {
  service: string;
  vmi: string;
  start: number;
  /** When it ended (Succeeded or Failed); undefined while it runs. */
  end?: number;
}

/** What the recorder holds. */
export interface WorldHistory {
  routes: RouteState[];
  vmCreates: VmCreate[];
  migrations: MigrationWindow[];
}

type Route = Array<{ destination?: { subset?: string }; weight?: number }>;
type Obj = { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; status?: { phase?: string } };

/** Records the writes in `namespace`; `subscribe` is the store's change feed. Returns the history and an unsubscribe. */
export function recordWorld(subscribe: (fn: (ev: StoredEvent) => void) => () => void, namespace: string, clock: () => number = Date.now): { history: WorldHistory; latest(service: string): Record<string, number> | undefined; stop(): void } {
  const history: WorldHistory = { routes: [], vmCreates: [], migrations: [] };
  const last = new Map<string, Record<string, number>>();
  const open = new Map<string, MigrationWindow>();
  const stop = subscribe((ev) => {
    const o = ev.object as Obj;
    if (o.metadata?.namespace !== namespace) return;
    const name = o.metadata.name ?? "";
    const at = clock();
    switch (ev.resource) {
      case "virtualservices.networking.istio.io": {
        if (ev.type === "DELETED") return;
        const route = ((o.spec?.["http"] as Array<{ route?: Route }> | undefined)?.[0]?.route ?? []) as Route;
        const weights = Object.fromEntries(route.map((d) => [d.destination?.subset ?? "", d.weight ?? (route.length === 1 ? 100 : 0)]));
        const prev = last.get(name);
        if (prev !== undefined && JSON.stringify(prev) === JSON.stringify(weights)) return;
        last.set(name, weights);
        history.routes.push({ at, service: name, weights });
        return;
      }
      case "virtualmachines.kubevirt.io":
        if (ev.type !== "ADDED") return;
        history.vmCreates.push({ at, name, service: o.metadata.labels?.["app"] ?? "", version: o.metadata.labels?.["version"] ?? "" });
        return;
      case "virtualmachineinstancemigrations.kubevirt.io": {
        const vmi = String(o.spec?.["vmiName"] ?? "");
        if (ev.type === "ADDED") {
          const w: MigrationWindow = { service: vmi.replace(/-v\d.*$/, ""), vmi, start: at };
          open.set(name, w);
          history.migrations.push(w);
          return;
        }
        const w = open.get(name);
        if (w !== undefined && (o.status?.phase === "Succeeded" || o.status?.phase === "Failed" || ev.type === "DELETED")) {
          w.end = at;
          open.delete(name);
        }
        return;
      }
      default:
        return;
    }
  });
  return { history, latest: (service) => last.get(service), stop };
}
