// Test support: the upstream KubeVirt fixtures as watcher objects, and small mutators.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import type { Vmi, Vmim } from "./kube-types.js";

const root = fileURLToPath(new URL("../../test/fixtures/upstream/kubevirt/", import.meta.url));

/** The real Running VMI from a Harvester cluster (Ready, phase history, bridge binding). */
export function harvesterVmi(): Vmi {
  return JSON.parse(readFileSync(`${root}vmi-running-harvester.json`, "utf8")) as Vmi;
}

/** KubeVirt's API round-trip fixture (every field, placeholder values). */
export function apitestingVmi(which: "HEAD" | "release-1.9"): Vmi {
  return JSON.parse(readFileSync(`${root}vmi-apitesting-${which}.json`, "utf8")) as Vmi;
}

/** The portworx VMIM captured at phase Succeeded (spec + status only). */
export function succeededVmim(): Vmim {
  const doc = YAML.parse(readFileSync(`${root}vmim-status-succeeded-portworx.yaml`, "utf8")) as Vmim;
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name: "migration-job", namespace: "default", uid: "vmim-uid-1", resourceVersion: "50" }, ...doc };
}

/** A deep copy of `vmi` changed by `edit`, with a new resourceVersion. */
export function mutate<T extends Vmi | Vmim>(obj: T, rv: string, edit: (o: T) => void): T {
  const copy = structuredClone(obj);
  copy.metadata = { ...copy.metadata, resourceVersion: rv };
  edit(copy);
  return copy;
}

/** Sets the VMI's Ready condition. */
export function setReady(vmi: Vmi, status: "True" | "False", reason?: string): void {
  const conditions = (vmi.status ??= {}).conditions ?? [];
  const rest = conditions.filter((c) => c.type !== "Ready");
  vmi.status.conditions = [{ type: "Ready", status, ...(reason ? { reason } : {}) }, ...rest];
}
